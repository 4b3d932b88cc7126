/**
 * hostPID: the pod shares the node's PID namespace (`hostPID: true`). Pod-only. Relaxes
 * hostNamespaces for its own field only (the check covers three).
 */
import { ExemptionKind } from '../exemption-kind';
import { hostNamespace } from './common';

export const HOST_PID = hostNamespace(ExemptionKind.HOST_PID, 'hostPID');
