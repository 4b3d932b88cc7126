/*
Containers must be required to run as non-root users.

**Restricted Fields:**
spec.securityContext.runAsNonRoot
spec.containers[*].securityContext.runAsNonRoot
spec.initContainers[*].securityContext.runAsNonRoot
spec.ephemeralContainers[*].securityContext.runAsNonRoot

**Allowed Values:**
true
undefined/null at container-level if pod-level is set to true

An explicit false anywhere fails, even if the other level says true.
v1.35+: not checked for pods in a user namespace ("hostUsers: false", KEP-127). Before
v1.35 upstream relaxed this only behind the perma-alpha (off by default)
UserNamespacesPodSecurityStandards feature gate, so older policies never relax.
*/
import { PolicyLevel } from '../types';
import { CheckCel, SPEC, celExemptUserNamespaces, celGet, celHas } from './cel';
import { CheckDefinition, CheckPodFn, allContainers, containersPhrase, exemptUserNamespaces, settersPhrase } from './util';

const runAsNonRootV1Dot0: CheckPodFn = pod => {
  const podValue = pod.spec.securityContext?.runAsNonRoot;
  // containers that explicitly set runAsNonRoot=false
  const explicitlyBad: string[] = [];
  // containers that did not set it and are not covered by a pod-level runAsNonRoot=true
  const implicitlyBad: string[] = [];
  const containers = allContainers(pod);
  for (let i = 0; i < containers.length; i++) {
    const value = containers[i].securityContext?.runAsNonRoot;
    if (value === false) explicitlyBad.push(containers[i].name);
    else if (value === undefined && podValue !== true) implicitlyBad.push(containers[i].name);
  }
  if (podValue === false || explicitlyBad.length > 0) {
    return {
      reason: 'runAsNonRoot != true',
      detail: `${settersPhrase(podValue === false, explicitlyBad)} must not set securityContext.runAsNonRoot=false`,
      containers: explicitlyBad,
      podLevel: podValue === false,
      fix: 'Replace runAsNonRoot: false with true (pod securityContext or every container) and run as a non-zero UID.',
    };
  }
  if (implicitlyBad.length > 0) {
    return {
      reason: 'runAsNonRoot != true',
      detail: `pod or ${containersPhrase(implicitlyBad)} must set securityContext.runAsNonRoot=true`,
      containers: implicitlyBad,
      fix: 'Set spec.securityContext.runAsNonRoot: true (or on every listed container) together with a numeric non-zero runAsUser.',
    };
  }
  return undefined;
};

const celV1Dot0: CheckCel = {
  pod: { runAsNonRoot: `${celGet(SPEC, 'securityContext.runAsNonRoot', 'true')} != false` },
  container: {
    runAsNonRoot: `(${celHas('c', 'securityContext.runAsNonRoot')} ? c.securityContext.runAsNonRoot == true : `
      + `${celGet(SPEC, 'securityContext.runAsNonRoot', 'false')} == true)`,
  },
};

export const runAsNonRoot: CheckDefinition = {
  id: 'runAsNonRoot',
  level: PolicyLevel.RESTRICTED,
  description: 'Pods or all containers must set runAsNonRoot=true, and none may set it to false.',
  versions: [
    { minimumVersion: 'v1.0', checkPod: runAsNonRootV1Dot0, cel: celV1Dot0 },
    { minimumVersion: 'v1.35', checkPod: exemptUserNamespaces(runAsNonRootV1Dot0), cel: celExemptUserNamespaces(celV1Dot0) },
  ],
};
