/**
 * privilegeEscalation: the container may gain privileges (`allowPrivilegeEscalation` not false:
 * setuid binaries, file capabilities). Relaxes allowPrivilegeEscalation only — never `privileged`.
 */
import { ExemptionKind } from '../exemption-kind';
import type { ExemptionKindSpec } from '../kind';
import { CAP_SYS_ADMIN_LITERAL, escalationCannotBeDisabled, objectAt, set } from './common';

export const PRIVILEGE_ESCALATION: ExemptionKindSpec = {
  id: ExemptionKind.PRIVILEGE_ESCALATION,
  podOnly: false,
  relaxes: ['allowPrivilegeEscalation'],
  cel: { fields: ['allowPrivilegeEscalation'] },
  fields: 'securityContext.allowPrivilegeEscalation not false',
  hint: 'Exemption.privilegeEscalation(reason, { container })',
  // allowPrivilegeEscalation: true, or (not privileged, which covers it) the literal CAP_SYS_ADMIN
  // added, next to which the API refuses allowPrivilegeEscalation: false
  detect: ({ container: c }) => {
    const sc = objectAt(c?.securityContext);
    if (!c || sc.privileged === true) return undefined;
    if (sc.allowPrivilegeEscalation === true) return { what: `container ${c.name} must gain privileges` };
    if (sc.allowPrivilegeEscalation === undefined && escalationCannotBeDisabled(sc)) {
      return { what: `container ${c.name} adds ${CAP_SYS_ADMIN_LITERAL}, which cannot go with allowPrivilegeEscalation: false` };
    }
    return undefined;
  },
  applyContainer: sc => { sc.allowPrivilegeEscalation = true; },
  revertContainer: sc => set(sc, 'allowPrivilegeEscalation', false),
};
