/*
The default /proc masks are set up to reduce attack surface, and should be required,
unless the pod is in a user namespace ("hostUsers: false", v1.35+ baseline only).

**Restricted Fields:**
spec.containers[*].securityContext.procMount
spec.initContainers[*].securityContext.procMount
spec.ephemeralContainers[*].securityContext.procMount

**Allowed Values:** undefined/null, "Default" (or any value if "hostUsers" is false, v1.35+)

Before v1.35 upstream relaxed this only behind the perma-alpha (off by default)
UserNamespacesPodSecurityStandards feature gate, which v1.35 removed; policies below
v1.35 therefore never relax. At restricted, procMount_restricted (v1.35+) keeps the
unconditional rule.
*/
import { SecurityContext } from '../pod-spec';
import { PolicyLevel } from '../types';
import { CheckCel, celExemptUserNamespaces, celGet } from './cel';
import { CheckDefinition, CheckPodFn, badContainerNames, badSettings, badValues, containersPhrase, exemptUserNamespaces, joinQuote, sortedSet } from './util';

const nonDefaultProcMount = (sc: SecurityContext | undefined) => (sc?.procMount === undefined || sc.procMount === 'Default' ? undefined : sc.procMount);

/** Unconditionally forbids a non-default procMount (shared with procMount_restricted). */
export const procMountV1Dot0: CheckPodFn = pod => {
  // procMount is a container-level field only: bad.pod is always undefined
  const bad = badSettings(pod, nonDefaultProcMount);
  if (bad.containers.length === 0) return undefined;
  const names = badContainerNames(bad);
  return {
    reason: 'procMount',
    detail: `${containersPhrase(names)} must not set securityContext.procMount to ${joinQuote(sortedSet(badValues(bad)))}`,
    containers: names,
    fix: 'Remove securityContext.procMount (or set it to Default) on every listed container.',
  };
};

/** The CEL of procMountV1Dot0 (shared with procMount_restricted). */
export const procMountCelV1Dot0: CheckCel = {
  container: { procMount: `${celGet('c', 'securityContext.procMount', "'Default'")} == 'Default'` },
};

export const procMount: CheckDefinition = {
  id: 'procMount',
  level: PolicyLevel.BASELINE,
  description: 'Containers must use the default /proc mount (any value allowed for hostUsers: false pods from v1.35).',
  versions: [
    { minimumVersion: 'v1.0', checkPod: procMountV1Dot0, cel: procMountCelV1Dot0 },
    { minimumVersion: 'v1.35', checkPod: exemptUserNamespaces(procMountV1Dot0), cel: celExemptUserNamespaces(procMountCelV1Dot0) },
  ],
};
