/*
Containers must drop ALL, and may only add NET_BIND_SERVICE.

**Restricted Fields:**
spec.containers[*].securityContext.capabilities.drop
spec.initContainers[*].securityContext.capabilities.drop
spec.ephemeralContainers[*].securityContext.capabilities.drop

**Allowed Values:**
Must include "ALL" (exact, case-sensitive)

**Restricted Fields:**
spec.containers[*].securityContext.capabilities.add
spec.initContainers[*].securityContext.capabilities.add
spec.ephemeralContainers[*].securityContext.capabilities.add

**Allowed Values:**
undefined / empty
"NET_BIND_SERVICE"

v1.22+. Overrides capabilities_baseline at the restricted level.
v1.25+: pods with spec.os.name=windows are exempt.
*/
import { PolicyLevel } from '../types';
import { CheckCel, celExemptWindows, celGet } from './cel';
import { CheckDefinition, CheckPodFn, allContainers, containersPhrase, exemptWindows, joinQuote, sortedSet, unique } from './util';

const NONE: readonly string[] = [];

const capabilitiesRestrictedV1Dot22: CheckPodFn = pod => {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbidden: string[] = [];
  const containers = allContainers(pod);
  for (let i = 0; i < containers.length; i++) {
    const caps = containers[i].securityContext?.capabilities;
    if (!caps?.drop?.includes('ALL')) missingDropAll.push(containers[i].name);
    const add = caps?.add ?? NONE;
    const before = forbidden.length;
    for (let k = 0; k < add.length; k++) {
      if (add[k] !== 'NET_BIND_SERVICE') forbidden.push(add[k]);
    }
    if (forbidden.length > before) addingForbidden.push(containers[i].name);
  }
  if (missingDropAll.length === 0 && addingForbidden.length === 0) return undefined;
  const details: string[] = [];
  if (missingDropAll.length > 0) {
    details.push(`${containersPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  }
  if (addingForbidden.length > 0) {
    details.push(`${containersPhrase(addingForbidden)} must not include ${joinQuote(sortedSet(forbidden))} in securityContext.capabilities.add`);
  }
  return {
    reason: 'unrestricted capabilities',
    detail: details.join('; '),
    containers: unique([...missingDropAll, ...addingForbidden]),
    fix: 'Set securityContext.capabilities.drop: ["ALL"] on every listed container and add back at most NET_BIND_SERVICE.',
  };
};

const celV1Dot22: CheckCel = {
  container: { 'capabilities.drop': `'ALL' in ${celGet('c', 'securityContext.capabilities.drop', '[]')}` },
  capability: "cap == 'NET_BIND_SERVICE'",
};

export const capabilitiesRestricted: CheckDefinition = {
  id: 'capabilities_restricted',
  level: PolicyLevel.RESTRICTED,
  description: 'Containers must drop ALL capabilities and may only add NET_BIND_SERVICE.',
  overrides: ['capabilities_baseline'],
  versions: [
    { minimumVersion: 'v1.22', checkPod: capabilitiesRestrictedV1Dot22, cel: celV1Dot22 },
    { minimumVersion: 'v1.25', checkPod: exemptWindows(capabilitiesRestrictedV1Dot22), cel: celExemptWindows(celV1Dot22) },
  ],
};
