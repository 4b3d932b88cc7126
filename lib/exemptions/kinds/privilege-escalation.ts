/**
 * privilegeEscalation: the container may gain privileges (`allowPrivilegeEscalation` not false:
 * setuid binaries, file capabilities). Relaxes allowPrivilegeEscalation only — never `privileged`.
 */
import type { KindDeclaration } from '../effects';
import { ExemptionKind } from '../exemption-kind';
import { CAP_SYS_ADMIN_LITERAL, escalationCannotBeDisabled, objectAt } from './common';

export const PRIVILEGE_ESCALATION: KindDeclaration = {
  id: ExemptionKind.PRIVILEGE_ESCALATION,
  podOnly: false,
  relaxes: ['allowPrivilegeEscalation'],
  effects: [{ level: 'container', field: 'allowPrivilegeEscalation', hardened: false, relaxed: true, unset: 'relaxed' }],
  cel: {},
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
};
