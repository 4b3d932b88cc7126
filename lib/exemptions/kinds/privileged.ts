/**
 * privileged: the container runs privileged (`privileged: true`; the API then requires
 * `allowPrivilegeEscalation` not false). Relaxes privileged and allowPrivilegeEscalation.
 */
import type { KindDeclaration } from '../effects';
import { ExemptionKind } from '../exemption-kind';

export const PRIVILEGED: KindDeclaration = {
  id: ExemptionKind.PRIVILEGED,
  podOnly: false,
  relaxes: ['privileged', 'allowPrivilegeEscalation'],
  // the API rejects privileged: true together with allowPrivilegeEscalation: false
  effects: [
    { level: 'container', field: 'privileged', hardened: false, relaxed: true, unset: 'hardened', needed: 'runs privileged' },
    { level: 'container', field: 'allowPrivilegeEscalation', hardened: false, relaxed: true, unset: 'relaxed' },
  ],
  cel: {},
};
