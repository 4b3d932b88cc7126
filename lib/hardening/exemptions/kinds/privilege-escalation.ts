/**
 * privilegeEscalation: the container may gain privileges (`allowPrivilegeEscalation` not false:
 * setuid binaries, file capabilities). Relaxes allowPrivilegeEscalation only — never `privileged`.
 */
import { ExemptionKind } from '../../exemption-kind';
import type { ExemptionKindSpec } from '../kind';
import { set } from './common';

export const PRIVILEGE_ESCALATION: ExemptionKindSpec = {
  id: ExemptionKind.PRIVILEGE_ESCALATION,
  podOnly: false,
  relaxes: ['allowPrivilegeEscalation'],
  fields: 'securityContext.allowPrivilegeEscalation not false',
  hint: 'Exemption.privilegeEscalation(reason, { container })',
  applyContainer: sc => { sc.allowPrivilegeEscalation = true; },
  revertContainer: sc => set(sc, 'allowPrivilegeEscalation', false),
};
