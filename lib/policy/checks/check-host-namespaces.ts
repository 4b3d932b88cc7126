/*
Sharing the host namespaces must be disallowed.

**Restricted Fields:**
spec.hostNetwork
spec.hostPID
spec.hostIPC

**Allowed Values:** undefined, false
*/
import { PolicyLevel } from '../types';
import { SPEC, celGet } from './cel';
import { CheckDefinition, CheckPodFn } from './util';

const HOST_NAMESPACES = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

const hostNamespacesV1Dot0: CheckPodFn = ({ spec }) => {
  if (spec.hostNetwork !== true && spec.hostPID !== true && spec.hostIPC !== true) return undefined;
  const shared = HOST_NAMESPACES.filter(field => spec[field] === true);
  return {
    reason: 'host namespaces',
    detail: shared.map(field => `${field}=true`).join(', '),
    podLevel: true,
    fix: `Remove ${shared.map(f => `spec.${f}`).join(', ')} from the pod spec (or set ${shared.length === 1 ? 'it' : 'them'} to false).`,
  };
};

export const hostNamespaces: CheckDefinition = {
  id: 'hostNamespaces',
  level: PolicyLevel.BASELINE,
  description: 'Pods must not share the host network, PID or IPC namespace.',
  versions: [{
    minimumVersion: 'v1.0',
    checkPod: hostNamespacesV1Dot0,
    cel: { pod: Object.fromEntries(HOST_NAMESPACES.map(f => [f, `${celGet(SPEC, f, 'false')} != true`])) },
  }],
};
