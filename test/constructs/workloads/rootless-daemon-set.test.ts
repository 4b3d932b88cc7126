import * as kplus from 'cdk8s-plus-27';
import { RESTRICTED_CONTAINER, container, error, exemptions, level, one, podSpec, refusedByKubelet, restrictedPodSecurityContext, synth, template } from './util';
import { RootlessDaemonSet, RootlessDaemonSetProps } from '../../../lib/constructs/plus/rootless-daemon-set';
import { Exemption } from '../../../lib/exemptions/exemption';
import { PodSecurity, PolicyLevel } from '../../../lib/policy';

const IMAGE = 'registry.example.com/node-agent:0.9.1';

describe('RootlessDaemonSet: minimal use', () => {
  const build = () => synth(chart => new RootlessDaemonSet(chart, 'agent', {
    user: 65534, minReadySeconds: 10, containers: [{ name: 'agent', image: IMAGE, portNumber: 9100 }],
  }));

  test('snapshot', () => {
    expect(build()).toMatchSnapshot();
  });

  test('the pod template is restricted: every security field', () => {
    const ds = one(build(), 'DaemonSet');
    const spec = podSpec(ds);
    expect(spec.securityContext).toEqual(restrictedPodSecurityContext(65534));
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.hostNetwork).toBe(false);
    expect(spec.restartPolicy).toBe('Always');
    expect(container(ds, 'agent').securityContext).toEqual(RESTRICTED_CONTAINER);
    expect(refusedByKubelet(ds)).toEqual([]);
  });

  test('the selector selects the pod template; minReadySeconds passes through; annotations on the template only', () => {
    const ds = one(build(), 'DaemonSet');
    expect(ds.spec.minReadySeconds).toBe(10);
    expect(Object.keys(ds.spec.selector.matchLabels).length).toBeGreaterThan(0);
    expect(template(ds).metadata.labels).toMatchObject(ds.spec.selector.matchLabels);
    expect(ds.metadata.annotations).toBeUndefined();
    expect(level(ds)).toBe('restricted');
    expect(exemptions(ds)).toEqual([]);
    expect(PodSecurity.evaluate(ds, { level: PolicyLevel.RESTRICTED }).allowed).toBe(true);
  });
});

describe('RootlessDaemonSet: a node agent that needs the host', () => {
  const build = () => synth(chart => {
    const ds = new RootlessDaemonSet(chart, 'shipper', {
      user: 0,
      exemptions: [
        Exemption.hostPath('reads the container logs that the kubelet writes under /var/log on every node', { paths: ['/var/log'] }),
        Exemption.runAsRoot('the node log files are readable by root only (mode 0640, owner root)'),
      ],
      containers: [{ name: 'shipper', image: IMAGE }],
    });
    ds.containers[0].mount('/var/log', kplus.Volume.fromHostPath(chart, 'varlog', 'varlog', { path: '/var/log' }), { readOnly: true });
  });

  test('the hostPath volume and root are declared, annotated, and the level is honestly privileged', () => {
    const ds = one(build(), 'DaemonSet');
    expect(podSpec(ds).volumes).toContainEqual({ name: 'varlog', hostPath: { path: '/var/log', type: '' } });
    expect(container(ds, 'shipper').volumeMounts).toContainEqual({ name: 'varlog', mountPath: '/var/log', readOnly: true });
    expect(exemptions(ds).map((e: any) => e.id)).toEqual(['hostPath', 'runAsRoot']);
    expect(level(ds)).toBe('privileged');
    expect(level(ds)).toBe(PodSecurity.strictestLevel(ds));
    // everything not exempted stays hardened
    expect(container(ds, 'shipper').securityContext).toEqual({ ...RESTRICTED_CONTAINER, runAsNonRoot: false });
    expect(podSpec(ds).securityContext).toMatchObject({ runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } });
    expect(podSpec(ds).securityContext.runAsNonRoot).toBeUndefined();
    expect(refusedByKubelet(ds)).toEqual([]);
  });

  test('without Exemption.hostPath, synthesis fails naming the volume and the exemption', () => {
    const message = error(chart => {
      const ds = new RootlessDaemonSet(chart, 'shipper', { user: 65534, containers: [{ name: 'shipper', image: IMAGE }] });
      ds.containers[0].mount('/var/log', kplus.Volume.fromHostPath(chart, 'varlog', 'varlog', { path: '/var/log' }), { readOnly: true });
    });
    expect(message).toContain('[test/shipper]');
    expect(message).toContain('hostPath');
    expect(message).toContain("Exemption.hostPath(reason, { paths: ['/var/log'] })");
  });
});

describe('RootlessDaemonSet: bad input', () => {
  const fail = (props: Partial<RootlessDaemonSetProps>) =>
    error(chart => new RootlessDaemonSet(chart, 'agent', { user: 1000, containers: [{ name: 'agent', image: IMAGE }], ...props }));

  test('restartPolicy other than Always', () => {
    expect(fail({ restartPolicy: kplus.RestartPolicy.NEVER })).toBe('RootlessDaemonSet test/agent: invalid props:\n'
      + '  props.restartPolicy: "Never" is not allowed for the pods of a DaemonSet (the API server accepts only Always: the DaemonSet keeps '
      + 'its pods running). Fix: leave it unset. For a task that runs to completion, use RootlessJob.');
  });

  test('spread, which would keep all but one pod per zone from being scheduled', () => {
    expect(fail({ spread: true })).toContain('props.spread: true adds a required pod anti-affinity per hostname and per zone');
  });

  test('a negative minReadySeconds', () => {
    expect(fail({ minReadySeconds: -5 })).toContain('props.minReadySeconds: -5 is not a non-negative integer. Fix: use a whole number of seconds');
  });

  test('an exemption naming a container that does not exist', () => {
    expect(fail({ exemptions: [Exemption.privilegeEscalation('the agent runs a setuid helper to read kernel counters', { container: 'agnet' })] }))
      .toBe('Validation failed with the following errors:\n  [test/agent] exemptions: Exemption.privilegeEscalation() for container "agnet" '
        + 'names a container that is not in the pod (containers: agent). Fix: use the name of an init or regular container, or remove the exemption.');
  });
});
