/**
 * Reverting an exemption on a Windows pod writes no Linux-only field: the API server rejects
 * seccompProfile, allowPrivilegeEscalation and readOnlyRootFilesystem on Windows pods, so a
 * revert that wrote them would make the judged copy malformed instead of judging the pod.
 */
import { ExemptionKind } from '../../lib/exemptions/exemption-kind';
import { judge } from '../../lib/hardening/verify';

const windowsPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'w' },
  spec: {
    os: { name: 'windows' },
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true },
    containers: [{ name: 'app', image: 'mcr.microsoft.com/windows/servercore:ltsc2022', securityContext: { windowsOptions: { runAsUserName: 'ContainerUser' } } }],
  },
};

test.each([
  ExemptionKind.PRIVILEGED, ExemptionKind.PRIVILEGE_ESCALATION, ExemptionKind.WRITABLE_ROOT_FILESYSTEM, ExemptionKind.SECCOMP_UNCONFINED,
])('%s, declared for a Windows pod, leaves the judged copy well formed', kind => {
  expect(judge(windowsPod, []).allowed).toBe(true);
  const verdict = judge(windowsPod, [{ kind }, { kind, container: 'app' }]);
  expect(verdict.uncovered.malformed).toBeUndefined();
  expect(verdict.allowed).toBe(true);
});

test('on a Linux pod the same reverts still undo the weakening', () => {
  const linux = {
    ...windowsPod,
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'app', image: 'x:1', securityContext: { allowPrivilegeEscalation: true, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } } }],
    },
  };
  expect(judge(linux, []).allowed).toBe(false);
  expect(judge(linux, [{ kind: ExemptionKind.PRIVILEGE_ESCALATION }, { kind: ExemptionKind.WRITABLE_ROOT_FILESYSTEM }]).allowed).toBe(true);
});
