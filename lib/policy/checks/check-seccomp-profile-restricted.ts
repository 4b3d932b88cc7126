/*
Seccomp profiles must be specified, and only runtime default and localhost profiles are allowed.

v1.19+:
**Restricted Fields:**
spec.securityContext.seccompProfile.type
spec.containers[*].securityContext.seccompProfile.type
spec.initContainers[*].securityContext.seccompProfile.type
spec.ephemeralContainers[*].securityContext.seccompProfile.type

**Allowed Values:** 'RuntimeDefault', 'Localhost'
Note: container-level fields may be undefined if pod-level field is specified.
A pod-level Unconfined fails even if every container overrides it.

Overrides seccompProfile_baseline at the restricted level.
v1.25+: pods with spec.os.name=windows are exempt.
*/
import { Container } from '../pod-spec';
import { PolicyLevel } from '../types';
import { CheckCel, SPEC, celExemptWindows, celHas } from './cel';
import { celSeccompOk, explicitSeccompViolation, invalidSeccompSettings } from './check-seccomp-profile-baseline';
import { CheckDefinition, CheckPodFn, containersPhrase, containersWhere, exemptWindows } from './util';

const unsetSeccomp = (c: Container) => c.securityContext?.seccompProfile === undefined;

const seccompProfileRestrictedV1Dot19: CheckPodFn = pod => {
  const explicit = explicitSeccompViolation(invalidSeccompSettings(pod));
  if (explicit) return explicit;
  const podSet = pod.spec.securityContext?.seccompProfile !== undefined; // and valid, else explicit above
  // containers that did not set seccompProfile and are not covered by a valid pod-level one
  const implicitlyBad = podSet ? [] : containersWhere(pod, unsetSeccomp);
  if (implicitlyBad.length === 0) return undefined;
  return {
    reason: 'seccompProfile',
    detail: `pod or ${containersPhrase(implicitlyBad)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    containers: implicitlyBad,
    fix: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault (or set it on every listed container).',
  };
};

const celV1Dot19: CheckCel = {
  pod: { seccompProfile: celSeccompOk(SPEC) },
  // an explicit container profile must be allowed; an unset one needs a pod-level profile (checked above)
  container: { seccompProfile: `(${celHas('c', 'securityContext.seccompProfile')} ? ${celSeccompOk('c')} : ${celHas(SPEC, 'securityContext.seccompProfile')})` },
};

export const seccompProfileRestricted: CheckDefinition = {
  id: 'seccompProfile_restricted',
  level: PolicyLevel.RESTRICTED,
  description: 'Pods or all containers must set seccompProfile.type to RuntimeDefault or Localhost.',
  overrides: ['seccompProfile_baseline'],
  versions: [
    { minimumVersion: 'v1.19', checkPod: seccompProfileRestrictedV1Dot19, cel: celV1Dot19 },
    { minimumVersion: 'v1.25', checkPod: exemptWindows(seccompProfileRestrictedV1Dot19), cel: celExemptWindows(celV1Dot19) },
  ],
};
