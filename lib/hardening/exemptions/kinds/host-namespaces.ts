/**
 * hostNetwork, hostPID, hostIPC: the pod shares one of the node's namespaces. Pod-only. Each
 * relaxes hostNamespaces for its own field only (the check covers all three).
 */
import { ExemptionKind } from '../../exemption-kind';
import type { ExemptionKindSpec } from '../kind';

function hostNamespace(id: ExemptionKind, field: 'hostNetwork' | 'hostPID' | 'hostIPC', cdk8sField: string): ExemptionKindSpec {
  return {
    id,
    podOnly: true,
    relaxes: ['hostNamespaces'],
    cel: { fields: [field] },
    fields: `spec.${field}: true`,
    hint: `Exemption.${id}(reason)`,
    detect: ({ spec, container }) => (!container && spec[field] === true ? { what: `the pod needs ${field}` } : undefined),
    applyPod: spec => { spec[cdk8sField] = true; },
    revertPod: spec => { if (spec[field] !== undefined && spec[field] !== false) spec[field] = false; },
  };
}

export const HOST_NETWORK = hostNamespace(ExemptionKind.HOST_NETWORK, 'hostNetwork', 'hostNetwork');
export const HOST_PID = hostNamespace(ExemptionKind.HOST_PID, 'hostPID', 'hostPid');
export const HOST_IPC = hostNamespace(ExemptionKind.HOST_IPC, 'hostIPC', 'hostIpc');
