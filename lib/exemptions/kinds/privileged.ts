/**
 * privileged: the container runs privileged (`privileged: true`; the API then requires
 * `allowPrivilegeEscalation` not false). Relaxes privileged and allowPrivilegeEscalation.
 */
import { ExemptionKind } from '../exemption-kind';
import type { ExemptionKindSpec } from '../kind';
import { objectAt, set } from './common';

export const PRIVILEGED: ExemptionKindSpec = {
  id: ExemptionKind.PRIVILEGED,
  podOnly: false,
  relaxes: ['privileged', 'allowPrivilegeEscalation'],
  cel: { fields: ['privileged', 'allowPrivilegeEscalation'] },
  fields: 'securityContext.privileged: true (and allowPrivilegeEscalation not false)',
  hint: 'Exemption.privileged(reason, { container })',
  detect: ({ container: c }) => (c && objectAt(c.securityContext).privileged === true ? { what: `container ${c.name} runs privileged` } : undefined),
  // the API rejects privileged: true together with allowPrivilegeEscalation: false
  applyContainer: sc => { sc.privileged = true; sc.allowPrivilegeEscalation = true; },
  revertContainer: sc => {
    if (sc.privileged === true) sc.privileged = false;
    set(sc, 'allowPrivilegeEscalation', false);
  },
};
