/**
 * hostIPC: the pod shares the node's IPC namespace (`hostIPC: true`). Pod-only. Relaxes
 * hostNamespaces for its own field only (the check covers three).
 */
import { ExemptionKind } from '../exemption-kind';
import { hostNamespace } from './common';

export const HOST_IPC = hostNamespace(ExemptionKind.HOST_IPC, 'hostIPC');
