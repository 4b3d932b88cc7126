/**
 * seccompLocalhost: a seccomp profile from the node (`type: Localhost`) instead of RuntimeDefault.
 * Pod Security restricted allows it, so it relaxes no rule the admission policy checks; the
 * constructs require it to apply the profile, and synthesis requires the profile to be used.
 */
import { ExemptionKind } from '../exemption-kind';
import type { ExemptionKindSpec } from '../kind';
import { seccompRevert } from './common';

export const SECCOMP_LOCALHOST: ExemptionKindSpec = {
  id: ExemptionKind.SECCOMP_LOCALHOST,
  podOnly: false,
  exclusive: 'seccomp',
  field: 'profile',
  relaxes: [],
  cel: {},
  fields: 'securityContext.seccompProfile: Localhost with the given profile',
  hint: 'Exemption.seccompLocalhost(profile, reason, { container })',
  applyContainer: (sc, e) => { if (e.container !== undefined) sc.seccompProfile = { type: 'Localhost', localhostProfile: e.profile }; },
  applyPod: (spec, e) => { spec.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: e.profile }; },
  ...seccompRevert(type => type === 'Localhost'),
};
