/**
 * hostNetwork: the pod shares the node's network namespace (`hostNetwork: true`). Pod-only.
 * Relaxes hostNamespaces for its own field only (the check covers three).
 */
import { ExemptionKind } from '../exemption-kind';
import { hostNamespace } from './common';

export const HOST_NETWORK = hostNamespace(ExemptionKind.HOST_NETWORK, 'hostNetwork');
