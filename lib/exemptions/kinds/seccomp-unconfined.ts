/**
 * seccompUnconfined: no seccomp profile (`seccompProfile.type: Unconfined`, or none at all).
 * Relaxes seccompProfile_baseline and seccompProfile_restricted for its scope only.
 */
import { ExemptionKind } from '../exemption-kind';
import type { ExemptionKindSpec } from '../kind';
import { ALLOWED_SECCOMP, objectAt, seccompRevert } from './common';

export const SECCOMP_UNCONFINED: ExemptionKindSpec = {
  id: ExemptionKind.SECCOMP_UNCONFINED,
  podOnly: false,
  exclusive: 'seccomp',
  relaxes: ['seccompProfile_baseline', 'seccompProfile_restricted'],
  cel: { fields: ['seccompProfile'] },
  fields: 'securityContext.seccompProfile: Unconfined or none',
  hint: 'Exemption.seccompUnconfined(reason, { container })',
  detect: ({ spec, container: c }) => {
    if (objectAt(objectAt(c ? c.securityContext : spec.securityContext).seccompProfile).type !== 'Unconfined') return undefined;
    return { what: c ? `container ${c.name} runs without a seccomp profile` : 'the pod runs without a seccomp profile' };
  },
  applyContainer: (sc, e) => { if (e.container !== undefined) sc.seccompProfile = { type: 'Unconfined' }; },
  applyPod: spec => { spec.securityContext.seccompProfile = { type: 'Unconfined' }; },
  ...seccompRevert(type => !ALLOWED_SECCOMP.includes(type)),
};
