/**
 * One passing and one failing case per check, the upstream-style reasons and details,
 * pod-level versus container-level combinations, and each version boundary.
 */
import { container, evaluate, failedChecks, hardenedContainer, hardenedPod, hardenedWith, violationOf } from './fixtures';
import { PolicyLevel } from '../../lib/policy';

const { BASELINE, RESTRICTED } = PolicyLevel;

describe('hostNamespaces', () => {
  test('fails on hostNetwork and hostPID, at pod level', () => {
    const r = evaluate(hardenedWith(p => Object.assign(p.spec, { hostNetwork: true, hostPID: true, hostIPC: false })), BASELINE);
    expect(r.allowed).toBe(false);
    expect(violationOf(r, 'hostNamespaces')).toMatchObject({
      level: BASELINE, reason: 'host namespaces', detail: 'hostNetwork=true, hostPID=true', podLevel: true, containers: undefined,
    });
  });
  test('passes with explicit false', () => {
    expect(evaluate(hardenedWith(p => Object.assign(p.spec, { hostNetwork: false, hostPID: false, hostIPC: false }))).allowed).toBe(true);
  });
});

describe('privileged', () => {
  test('fails for one container, with a fix', () => {
    const v = violationOf(evaluate(hardenedWith(p => { container(p, 'app').securityContext.privileged = true; }), BASELINE), 'privileged');
    expect(v).toMatchObject({ reason: 'privileged', detail: 'container "app" must not set securityContext.privileged=true', containers: ['app'], podLevel: false });
    expect(v.fix).toMatch(/privileged/);
  });
  test('pluralises and visits init and ephemeral containers in upstream order', () => {
    const r = evaluate(hardenedWith(p => {
      p.spec.ephemeralContainers = [{ ...hardenedContainer('debug'), securityContext: { privileged: true } }];
      container(p, 'init').securityContext.privileged = true;
    }), BASELINE);
    expect(violationOf(r, 'privileged').detail).toBe('containers "init", "debug" must not set securityContext.privileged=true');
  });
  test('passes with privileged false', () => {
    expect(evaluate(hardenedWith(p => { container(p, 'app').securityContext.privileged = false; })).allowed).toBe(true);
  });
});

describe('capabilities_baseline', () => {
  test('fails on capabilities beyond the default set', () => {
    const r = evaluate(hardenedWith(p => { container(p, 'app').securityContext.capabilities.add = ['SYS_ADMIN', 'NET_RAW', 'CHOWN']; }), BASELINE);
    expect(violationOf(r, 'capabilities_baseline')).toMatchObject({
      reason: 'non-default capabilities',
      detail: 'container "app" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add',
      containers: ['app'],
    });
  });
  test('passes with default capabilities at baseline', () => {
    expect(evaluate(hardenedWith(p => { container(p, 'app').securityContext.capabilities.add = ['CHOWN', 'KILL']; }), BASELINE).allowed).toBe(true);
  });
  test('is overridden by capabilities_restricted at restricted from v1.22, and runs before', () => {
    const pod = hardenedWith(p => { container(p, 'app').securityContext.capabilities.add = ['NET_RAW']; });
    expect(failedChecks(evaluate(pod, RESTRICTED, 'v1.21'))).toEqual(['capabilities_baseline']);
    expect(failedChecks(evaluate(pod, RESTRICTED, 'v1.22'))).toEqual(['capabilities_restricted']);
  });
});

describe('capabilities_restricted', () => {
  test('fails without drop ALL and on forbidden adds, pluralised and joined by "; "', () => {
    const r = evaluate(hardenedWith(p => {
      delete container(p, 'init').securityContext.capabilities;
      container(p, 'app').securityContext.capabilities = { drop: ['all'], add: ['CAP_NET_BIND_SERVICE'] };
    }));
    expect(violationOf(r, 'capabilities_restricted')).toMatchObject({
      reason: 'unrestricted capabilities',
      detail: 'containers "init", "app" must set securityContext.capabilities.drop=["ALL"]; '
        + 'container "app" must not include "CAP_NET_BIND_SERVICE" in securityContext.capabilities.add',
      containers: ['init', 'app'],
    });
  });
  test('allows adding exactly NET_BIND_SERVICE', () => {
    expect(evaluate(hardenedWith(p => { container(p, 'app').securityContext.capabilities.add = ['NET_BIND_SERVICE']; })).allowed).toBe(true);
  });
  test('is not checked before v1.22', () => {
    const pod = hardenedWith(p => { delete container(p, 'app').securityContext.capabilities; });
    expect(evaluate(pod, RESTRICTED, 'v1.21').allowed).toBe(true);
    expect(failedChecks(evaluate(pod, RESTRICTED, 'v1.22'))).toEqual(['capabilities_restricted']);
  });
});

describe('hostPathVolumes', () => {
  const pod = hardenedWith(p => { p.spec.volumes.push({ name: 'host', hostPath: { path: '/var/run' } }); });
  test('fails at baseline, at pod level', () => {
    expect(violationOf(evaluate(pod, BASELINE), 'hostPathVolumes')).toMatchObject({
      reason: 'hostPath volumes', detail: 'volume "host"', podLevel: true,
    });
  });
  test('is overridden by restrictedVolumes at restricted', () => {
    const r = evaluate(pod, RESTRICTED, 'v1.0');
    expect(failedChecks(r)).toEqual(['restrictedVolumes']);
    expect(r.violations[0].detail).toBe('volume "host" uses restricted volume type "hostPath"');
  });
  test('passes without hostPath', () => {
    expect(evaluate(hardenedPod(), BASELINE).allowed).toBe(true);
  });
});

describe('hostPorts', () => {
  test('fails on host ports, upstream wording', () => {
    const one = evaluate(hardenedWith(p => { container(p, 'app').ports = [{ containerPort: 8080, hostPort: 8080 }]; }), BASELINE);
    expect(violationOf(one, 'hostPorts')).toMatchObject({ reason: 'hostPort', detail: 'container "app" uses hostPort 8080', containers: ['app'] });
    const two = evaluate(hardenedWith(p => {
      container(p, 'init').ports = [{ containerPort: 80, hostPort: 80 }];
      container(p, 'app').ports = [{ containerPort: 443, hostPort: 443 }];
    }), BASELINE);
    expect(violationOf(two, 'hostPorts').detail).toBe('containers "init", "app" use hostPorts 443, 80');
  });
  test('passes with hostPort 0 or unset', () => {
    expect(evaluate(hardenedWith(p => { container(p, 'app').ports = [{ containerPort: 8080, hostPort: 0 }, { containerPort: 9090 }]; })).allowed).toBe(true);
  });
});

describe('appArmorProfile', () => {
  test('fails on an unconfined beta annotation of the pod template', () => {
    const r = evaluate(hardenedWith(p => {
      p.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' };
    }), BASELINE);
    expect(violationOf(r, 'appArmorProfile')).toMatchObject({
      reason: 'forbidden AppArmor profile',
      detail: 'annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/app="unconfined""',
      containers: ['app'],
      podLevel: true,
    });
  });
  test('fails on Unconfined fields at pod and container level', () => {
    const r = evaluate(hardenedWith(p => {
      p.spec.securityContext.appArmorProfile = { type: 'Unconfined' };
      container(p, 'app').securityContext.appArmorProfile = { type: 'Unconfined' };
    }), BASELINE);
    expect(violationOf(r, 'appArmorProfile').detail).toBe('pod and container "app" must not set AppArmor profile type to "Unconfined"');
  });
  test('passes on runtime/default, localhost/* annotations and RuntimeDefault/Localhost fields', () => {
    const r = evaluate(hardenedWith(p => {
      p.metadata.annotations = {
        'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default',
        'container.apparmor.security.beta.kubernetes.io/sidecar': 'localhost/my-profile',
      };
      p.spec.securityContext.appArmorProfile = { type: 'RuntimeDefault' };
      container(p, 'app').securityContext.appArmorProfile = { type: 'Localhost', localhostProfile: 'my-profile' };
    }));
    expect(r.allowed).toBe(true);
  });
  test('checks the fields at every policy version, as upstream (single v1.0 revision)', () => {
    const pod = hardenedWith(p => { container(p, 'app').securityContext.appArmorProfile = { type: 'Unconfined' }; });
    expect(failedChecks(evaluate(pod, BASELINE, 'v1.0'))).toEqual(['appArmorProfile']);
  });
});

describe('seLinuxOptions', () => {
  test('fails on a custom type, user and role', () => {
    const r = evaluate(hardenedWith(p => {
      container(p, 'app').securityContext.seLinuxOptions = { type: 'spc_t', user: 'system_u' };
      p.spec.securityContext.seLinuxOptions = { role: 'system_r' };
    }), BASELINE);
    expect(violationOf(r, 'seLinuxOptions')).toMatchObject({
      reason: 'seLinuxOptions',
      detail: 'pod and container "app" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set; role may not be set',
      containers: ['app'],
      podLevel: true,
    });
  });
  test('passes on container types and a level', () => {
    expect(evaluate(hardenedWith(p => {
      p.spec.securityContext.seLinuxOptions = { level: 's0:c123,c456' };
      container(p, 'app').securityContext.seLinuxOptions = { type: 'container_init_t' };
    })).allowed).toBe(true);
  });
  test('allows container_engine_t from v1.31', () => {
    const pod = hardenedWith(p => { container(p, 'app').securityContext.seLinuxOptions = { type: 'container_engine_t' }; });
    expect(violationOf(evaluate(pod, BASELINE, 'v1.30'), 'seLinuxOptions').detail)
      .toBe('container "app" set forbidden securityContext.seLinuxOptions: type "container_engine_t"');
    expect(evaluate(pod, BASELINE, 'v1.31').allowed).toBe(true);
  });
});

describe('procMount', () => {
  const unmasked = hardenedWith(p => { container(p, 'app').securityContext.procMount = 'Unmasked'; });
  test('fails on Unmasked', () => {
    expect(violationOf(evaluate(unmasked, BASELINE), 'procMount')).toMatchObject({
      reason: 'procMount', detail: 'container "app" must not set securityContext.procMount to "Unmasked"', containers: ['app'],
    });
  });
  test('passes on Default', () => {
    expect(evaluate(hardenedWith(p => { container(p, 'app').securityContext.procMount = 'Default'; })).allowed).toBe(true);
  });
  test('baseline relaxes for hostUsers: false from v1.35; restricted does not (procMount_restricted)', () => {
    const userns = hardenedWith(p => { p.spec.hostUsers = false; container(p, 'app').securityContext.procMount = 'Unmasked'; });
    expect(failedChecks(evaluate(userns, BASELINE, 'v1.34'))).toEqual(['procMount']);
    expect(evaluate(userns, BASELINE, 'v1.35').allowed).toBe(true);
    expect(failedChecks(evaluate(userns, RESTRICTED, 'v1.34'))).toEqual(['procMount']);
    expect(failedChecks(evaluate(userns, RESTRICTED, 'v1.35'))).toEqual(['procMount_restricted']);
    expect(violationOf(evaluate(userns), 'procMount_restricted').detail)
      .toBe('container "app" must not set securityContext.procMount to "Unmasked"');
  });
  test('hostUsers: true does not relax', () => {
    expect(failedChecks(evaluate(hardenedWith(p => {
      p.spec.hostUsers = true;
      container(p, 'app').securityContext.procMount = 'Unmasked';
    }), BASELINE))).toEqual(['procMount']);
  });
});

describe('seccompProfile_baseline', () => {
  test('checks the alpha annotations before v1.19', () => {
    const pod = hardenedWith(p => {
      p.metadata.annotations = {
        'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
        'container.seccomp.security.alpha.kubernetes.io/app': 'docker/default',
        'container.seccomp.security.alpha.kubernetes.io/sidecar': 'unconfined',
      };
    });
    expect(violationOf(evaluate(pod, BASELINE, 'v1.18'), 'seccompProfile_baseline')).toMatchObject({
      reason: 'seccompProfile',
      detail: 'forbidden annotations container.seccomp.security.alpha.kubernetes.io/sidecar="unconfined", '
        + 'seccomp.security.alpha.kubernetes.io/pod="unconfined"',
      containers: ['sidecar'],
      podLevel: true,
    });
    expect(evaluate(pod, BASELINE, 'v1.19').allowed).toBe(true);
  });
  test('checks the fields from v1.19', () => {
    const pod = hardenedWith(p => { p.spec.securityContext.seccompProfile = { type: 'Unconfined' }; });
    expect(evaluate(pod, BASELINE, 'v1.18').allowed).toBe(true);
    expect(violationOf(evaluate(pod, BASELINE, 'v1.19'), 'seccompProfile_baseline')).toMatchObject({
      reason: 'seccompProfile', detail: 'pod must not set securityContext.seccompProfile.type to "Unconfined"', podLevel: true,
    });
  });
  test('passes when unset or RuntimeDefault/Localhost', () => {
    expect(evaluate(hardenedWith(p => {
      delete p.spec.securityContext.seccompProfile;
      container(p, 'app').securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
    }), BASELINE).allowed).toBe(true);
  });
});

describe('sysctls', () => {
  const withSysctl = (name: string) => hardenedWith(p => { p.spec.securityContext.sysctls = [{ name, value: '1' }]; });
  test('fails on an unsafe sysctl, at pod level', () => {
    expect(violationOf(evaluate(withSysctl('kernel.msgmax'), BASELINE), 'sysctls')).toMatchObject({
      reason: 'forbidden sysctls', detail: 'kernel.msgmax', podLevel: true,
    });
  });
  test('passes on the v1.0 safe set', () => {
    expect(evaluate(hardenedWith(p => {
      p.spec.securityContext.sysctls = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies',
        'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'].map(name => ({ name, value: '0' }));
    }), RESTRICTED, 'v1.0').allowed).toBe(true);
  });
  test.each([
    ['net.ipv4.ip_local_reserved_ports', 27],
    ['net.ipv4.tcp_keepalive_time', 29],
    ['net.ipv4.tcp_fin_timeout', 29],
    ['net.ipv4.tcp_keepalive_intvl', 29],
    ['net.ipv4.tcp_keepalive_probes', 29],
    ['net.ipv4.tcp_rmem', 32],
    ['net.ipv4.tcp_wmem', 32],
    ['net.ipv4.tcp_slow_start_after_idle', 37],
    ['net.ipv4.tcp_notsent_lowat', 37],
  ])('%s is safe from v1.%i', (name, minor) => {
    expect(failedChecks(evaluate(withSysctl(name), BASELINE, `v1.${minor - 1}`))).toEqual(['sysctls']);
    expect(evaluate(withSysctl(name), BASELINE, `v1.${minor}`).allowed).toBe(true);
  });
  test('sysctls not in the safe list still fail at latest', () => {
    expect(failedChecks(evaluate(withSysctl('net.ipv4.tcp_congestion_control'), BASELINE))).toEqual(['sysctls']);
  });
});

describe('windowsHostProcess', () => {
  test('fails on hostProcess at pod and container level', () => {
    const r = evaluate(hardenedWith(p => {
      p.spec.securityContext.windowsOptions = { hostProcess: true };
      container(p, 'app').securityContext.windowsOptions = { hostProcess: true };
    }), BASELINE);
    expect(violationOf(r, 'windowsHostProcess')).toMatchObject({
      reason: 'hostProcess',
      detail: 'pod and container "app" must not set securityContext.windowsOptions.hostProcess=true',
      containers: ['app'],
      podLevel: true,
    });
  });
  test('passes with hostProcess false', () => {
    expect(evaluate(hardenedWith(p => { p.spec.securityContext.windowsOptions = { hostProcess: false }; })).allowed).toBe(true);
  });
});

describe('hostProbesAndHostLifecycle', () => {
  const pod = hardenedWith(p => {
    container(p, 'app').livenessProbe = { httpGet: { host: '169.254.169.254', path: '/', port: 80 } };
    container(p, 'init').lifecycle = { preStop: { tcpSocket: { host: '10.0.0.1', port: 22 } } };
  });
  test('is checked from v1.34', () => {
    expect(evaluate(pod, BASELINE, 'v1.33').allowed).toBe(true);
    expect(violationOf(evaluate(pod, BASELINE, 'v1.34'), 'hostProbesAndHostLifecycle')).toMatchObject({
      reason: 'probe or lifecycle host',
      detail: 'containers "app", "init" use probe or lifecycle hosts "10.0.0.1", "169.254.169.254"',
      containers: ['app', 'init'],
    });
  });
  test('passes without host or with an empty host', () => {
    expect(evaluate(hardenedWith(p => {
      container(p, 'app').readinessProbe = { httpGet: { host: '', path: '/healthz', port: 8080 } };
      container(p, 'app').startupProbe = { tcpSocket: { port: 8080 } };
    })).allowed).toBe(true);
  });
});

describe('restrictedVolumes', () => {
  test('fails on non-allowed volume sources, at pod level', () => {
    const r = evaluate(hardenedWith(p => {
      p.spec.volumes.push({ name: 'data', nfs: { server: 'nfs', path: '/' } }, { name: 'repo', gitRepo: { repository: 'x' } });
    }));
    expect(violationOf(r, 'restrictedVolumes')).toMatchObject({
      reason: 'restricted volume types',
      detail: 'volumes "data", "repo" use restricted volume types "gitRepo", "nfs"',
      podLevel: true,
    });
  });
  test('passes on every allowed type, image volumes included at every version', () => {
    const pod = hardenedWith(p => {
      p.spec.volumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret']
        .map(type => ({ name: type.toLowerCase(), [type]: {} }))
        .concat([{ name: 'defaulted-to-emptydir' } as any]);
    });
    expect(evaluate(pod).allowed).toBe(true);
    expect(evaluate(pod, RESTRICTED, 'v1.0').allowed).toBe(true);
  });
});

describe('runAsNonRoot', () => {
  test('pod true + container false fails', () => {
    const r = evaluate(hardenedWith(p => { container(p, 'app').securityContext.runAsNonRoot = false; }));
    expect(violationOf(r, 'runAsNonRoot')).toMatchObject({
      reason: 'runAsNonRoot != true',
      detail: 'container "app" must not set securityContext.runAsNonRoot=false',
      containers: ['app'],
      podLevel: false,
    });
  });
  test('pod false fails even if every container says true', () => {
    const r = evaluate(hardenedWith(p => {
      p.spec.securityContext.runAsNonRoot = false;
      for (const name of ['init', 'app', 'sidecar']) container(p, name).securityContext.runAsNonRoot = true;
    }));
    expect(violationOf(r, 'runAsNonRoot')).toMatchObject({ detail: 'pod must not set securityContext.runAsNonRoot=false', podLevel: true });
  });
  test('unset everywhere fails, naming every container; a non-zero runAsUser alone does not satisfy it', () => {
    const r = evaluate(hardenedWith(p => { delete p.spec.securityContext.runAsNonRoot; }));
    expect(violationOf(r, 'runAsNonRoot').detail).toBe('pod or containers "init", "app", "sidecar" must set securityContext.runAsNonRoot=true');
  });
  test('container-only settings on every container pass', () => {
    expect(evaluate(hardenedWith(p => {
      delete p.spec.securityContext.runAsNonRoot;
      for (const name of ['init', 'app', 'sidecar']) container(p, name).securityContext.runAsNonRoot = true;
    })).allowed).toBe(true);
  });
  test('checks ephemeral containers too', () => {
    const r = evaluate(hardenedWith(p => {
      p.spec.ephemeralContainers = [{ ...hardenedContainer('debug'), securityContext: { ...hardenedContainer('debug').securityContext, runAsNonRoot: false } }];
    }));
    expect(violationOf(r, 'runAsNonRoot').containers).toEqual(['debug']);
  });
});

describe('runAsUser', () => {
  test('fails on runAsUser 0 at pod and container level', () => {
    const r = evaluate(hardenedWith(p => {
      p.spec.securityContext.runAsUser = 0;
      container(p, 'sidecar').securityContext.runAsUser = 0;
    }));
    expect(violationOf(r, 'runAsUser')).toMatchObject({
      reason: 'runAsUser=0', detail: 'pod and container "sidecar" must not set runAsUser=0', containers: ['sidecar'], podLevel: true,
    });
  });
  test('is checked from v1.23', () => {
    const pod = hardenedWith(p => { container(p, 'app').securityContext.runAsUser = 0; });
    expect(evaluate(pod, RESTRICTED, 'v1.22').allowed).toBe(true);
    expect(failedChecks(evaluate(pod, RESTRICTED, 'v1.23'))).toEqual(['runAsUser']);
  });
  test('passes on non-zero or unset', () => {
    expect(evaluate(hardenedWith(p => { delete p.spec.securityContext.runAsUser; container(p, 'app').securityContext.runAsUser = 65534; })).allowed).toBe(true);
  });
});

describe('allowPrivilegeEscalation', () => {
  const unset = hardenedWith(p => { delete container(p, 'app').securityContext.allowPrivilegeEscalation; });
  test('unset fails (it must be explicitly false)', () => {
    expect(violationOf(evaluate(unset), 'allowPrivilegeEscalation')).toMatchObject({
      level: RESTRICTED,
      reason: 'allowPrivilegeEscalation != false',
      detail: 'container "app" must set securityContext.allowPrivilegeEscalation=false',
      containers: ['app'],
      podLevel: false,
    });
  });
  test('true fails on several containers', () => {
    const r = evaluate(hardenedWith(p => {
      container(p, 'init').securityContext.allowPrivilegeEscalation = true;
      container(p, 'sidecar').securityContext.allowPrivilegeEscalation = true;
    }));
    expect(violationOf(r, 'allowPrivilegeEscalation').detail)
      .toBe('containers "init", "sidecar" must set securityContext.allowPrivilegeEscalation=false');
  });
  test('is checked from v1.8 and not at baseline', () => {
    expect(evaluate(unset, RESTRICTED, 'v1.7').allowed).toBe(true);
    expect(failedChecks(evaluate(unset, RESTRICTED, 'v1.8'))).toEqual(['allowPrivilegeEscalation']);
    expect(evaluate(unset, BASELINE).allowed).toBe(true);
  });
});

describe('seccompProfile_restricted', () => {
  const unset = hardenedWith(p => { delete p.spec.securityContext.seccompProfile; });
  test('unset fails from v1.19', () => {
    expect(evaluate(unset, RESTRICTED, 'v1.18').allowed).toBe(true);
    expect(violationOf(evaluate(unset, RESTRICTED, 'v1.19'), 'seccompProfile_restricted')).toMatchObject({
      reason: 'seccompProfile',
      detail: 'pod or containers "init", "app", "sidecar" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
      containers: ['init', 'app', 'sidecar'],
    });
  });
  test('pod Unconfined + container RuntimeDefault fails (and overrides the baseline check)', () => {
    const r = evaluate(hardenedWith(p => {
      p.spec.securityContext.seccompProfile = { type: 'Unconfined' };
      for (const name of ['init', 'app', 'sidecar']) container(p, name).securityContext.seccompProfile = { type: 'RuntimeDefault' };
    }));
    expect(failedChecks(r)).toEqual(['seccompProfile_restricted']);
    expect(r.violations[0]).toMatchObject({ detail: 'pod must not set securityContext.seccompProfile.type to "Unconfined"', podLevel: true });
  });
  test('container-only RuntimeDefault/Localhost on every container passes', () => {
    expect(evaluate(hardenedWith(p => {
      delete p.spec.securityContext.seccompProfile;
      container(p, 'init').securityContext.seccompProfile = { type: 'RuntimeDefault' };
      container(p, 'app').securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'a.json' };
      container(p, 'sidecar').securityContext.seccompProfile = { type: 'RuntimeDefault' };
    })).allowed).toBe(true);
  });
  test('a container left unset without a pod-level profile fails alone', () => {
    const r = evaluate(hardenedWith(p => {
      delete p.spec.securityContext.seccompProfile;
      container(p, 'init').securityContext.seccompProfile = { type: 'RuntimeDefault' };
      container(p, 'app').securityContext.seccompProfile = { type: 'RuntimeDefault' };
    }));
    expect(violationOf(r, 'seccompProfile_restricted').detail)
      .toBe('pod or container "sidecar" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"');
  });
});

describe('Windows pods', () => {
  const windows = hardenedWith(p => {
    p.spec.os = { name: 'windows' };
    p.spec.securityContext = { runAsNonRoot: true };
    for (const name of ['init', 'app', 'sidecar']) container(p, name).securityContext = { windowsOptions: { runAsUserName: 'ContainerUser' } };
  });
  test('skip allowPrivilegeEscalation, capabilities and seccomp from v1.25', () => {
    expect(failedChecks(evaluate(windows, RESTRICTED, 'v1.24')))
      .toEqual(['allowPrivilegeEscalation', 'capabilities_restricted', 'seccompProfile_restricted']);
    expect(evaluate(windows, RESTRICTED, 'v1.25').allowed).toBe(true);
    expect(evaluate(windows).allowed).toBe(true);
  });
  test('still get the other checks (runAsNonRoot, hostProcess)', () => {
    const r = evaluate(hardenedWith(p => {
      p.spec.os = { name: 'windows' };
      p.spec.securityContext = { windowsOptions: { hostProcess: true } };
    }));
    expect(failedChecks(r)).toEqual(['windowsHostProcess', 'runAsNonRoot']);
  });
  test('setting Linux-only fields is malformed, as API validation refuses them', () => {
    const r = evaluate(hardenedWith(p => { p.spec.os = { name: 'windows' }; }));
    expect(r).toMatchObject({ allowed: false, violations: [] });
    expect(r.malformed).toBe('spec.securityContext.runAsUser cannot be set when spec.os.name is windows; '
      + 'spec.securityContext.seccompProfile cannot be set when spec.os.name is windows; '
      + 'spec.initContainers[0].securityContext.allowPrivilegeEscalation cannot be set when spec.os.name is windows; '
      + 'spec.initContainers[0].securityContext.capabilities cannot be set when spec.os.name is windows; '
      + 'spec.containers[0].securityContext.allowPrivilegeEscalation cannot be set when spec.os.name is windows; '
      + 'spec.containers[0].securityContext.capabilities cannot be set when spec.os.name is windows; '
      + 'spec.containers[1].securityContext.allowPrivilegeEscalation cannot be set when spec.os.name is windows; '
      + 'spec.containers[1].securityContext.capabilities cannot be set when spec.os.name is windows');
  });
  test('a Linux os does not skip', () => {
    expect(failedChecks(evaluate(hardenedWith(p => {
      p.spec.os = { name: 'linux' };
      delete container(p, 'app').securityContext.allowPrivilegeEscalation;
    })))).toEqual(['allowPrivilegeEscalation']);
  });
});

describe('hostUsers: false (user namespaces)', () => {
  const userns = hardenedWith(p => {
    p.spec.hostUsers = false;
    p.spec.securityContext = { seccompProfile: { type: 'RuntimeDefault' }, runAsUser: 0 };
    container(p, 'app').securityContext.runAsNonRoot = false;
  });
  test('relaxes runAsNonRoot and runAsUser entirely from v1.35', () => {
    expect(failedChecks(evaluate(userns, RESTRICTED, 'v1.34'))).toEqual(['runAsNonRoot', 'runAsUser']);
    expect(evaluate(userns, RESTRICTED, 'v1.35').allowed).toBe(true);
    expect(evaluate(userns).allowed).toBe(true);
  });
  test('does not relax anything else', () => {
    const r = evaluate(hardenedWith(p => {
      p.spec.hostUsers = false;
      delete container(p, 'app').securityContext.capabilities;
      delete container(p, 'app').securityContext.allowPrivilegeEscalation;
    }));
    expect(failedChecks(r)).toEqual(['allowPrivilegeEscalation', 'capabilities_restricted']);
  });
});

describe('violations', () => {
  test('are listed in upstream order (baseline ids sorted, then restricted ids sorted), each with a one-line fix', () => {
    const r = evaluate(hardenedWith(p => {
      p.spec.hostNetwork = true;
      p.spec.securityContext = {};
      container(p, 'app').securityContext = { privileged: true };
    }));
    expect(failedChecks(r)).toEqual([
      'hostNamespaces', 'privileged', 'allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted',
    ]);
    for (const v of r.violations) expect(v.fix).toMatch(/^[^\n]+\.$/);
  });
  test('follow the upstream admission message order for a pod failing every check it can', () => {
    // upstream policy/registry.go populate(): sort baseline ids, sort restricted ids, baseline first;
    // the admission message lists "reason (detail)" in that order
    const r = evaluate({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } },
      spec: {
        hostNetwork: true,
        securityContext: {
          runAsUser: 0,
          seccompProfile: { type: 'Unconfined' },
          seLinuxOptions: { type: 'spc_t' },
          sysctls: [{ name: 'kernel.msgmax', value: '1' }],
          windowsOptions: { hostProcess: true },
        },
        containers: [{
          name: 'app',
          ports: [{ containerPort: 80, hostPort: 80 }],
          livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } },
          securityContext: { privileged: true, procMount: 'Unmasked', capabilities: { add: ['SYS_ADMIN'] }, runAsNonRoot: false },
        }],
        volumes: [{ name: 'host', hostPath: { path: '/' } }],
      },
    }, RESTRICTED);
    expect(r.violations.map(v => v.reason)).toEqual([
      'forbidden AppArmor profile', // appArmorProfile
      'host namespaces', // hostNamespaces
      'hostPort', // hostPorts
      'probe or lifecycle host', // hostProbesAndHostLifecycle
      'privileged', // privileged
      'seLinuxOptions', // seLinuxOptions sorts before seccompProfile_baseline (byte order)
      'forbidden sysctls', // sysctls
      'hostProcess', // windowsHostProcess
      'allowPrivilegeEscalation != false', // allowPrivilegeEscalation
      'unrestricted capabilities', // capabilities_restricted
      'procMount', // procMount_restricted
      'restricted volume types', // restrictedVolumes
      'runAsNonRoot != true', // runAsNonRoot
      'runAsUser=0', // runAsUser
      'seccompProfile', // seccompProfile_restricted
    ]);
    expect(failedChecks(evaluate(hardenedWith(p => {
      p.spec.volumes.push({ name: 'host', hostPath: { path: '/' } });
      p.spec.securityContext.seLinuxOptions = { type: 'spc_t' };
      p.spec.securityContext.seccompProfile = { type: 'Unconfined' };
      container(p, 'app').securityContext.capabilities.add = ['SYS_ADMIN'];
    }), BASELINE))).toEqual(['capabilities_baseline', 'hostPathVolumes', 'seLinuxOptions', 'seccompProfile_baseline']);
  });
});
