/*
Containers must not set runAsUser: 0

**Restricted Fields:**
spec.securityContext.runAsUser
spec.containers[*].securityContext.runAsUser
spec.initContainers[*].securityContext.runAsUser
spec.ephemeralContainers[*].securityContext.runAsUser

**Allowed Values:**
non-zero values
undefined/null

v1.23+ (before, a pod with runAsUser=0 and runAsNonRoot=true was only refused by the kubelet).
v1.35+: not checked for pods in a user namespace ("hostUsers: false", KEP-127); before
v1.35 only behind the perma-alpha, off-by-default UserNamespacesPodSecurityStandards gate.
*/
import { SecurityContext } from '../pod-spec';
import { PolicyLevel } from '../types';
import { CheckCel, SPEC, celExemptUserNamespaces, celGet } from './cel';
import { CheckDefinition, CheckPodFn, anyBad, badContainerNames, badSettings, exemptUserNamespaces, settersPhrase } from './util';

const rootUser = (sc: SecurityContext | undefined) => (sc?.runAsUser === 0 ? 0 : undefined);

const runAsUserV1Dot23: CheckPodFn = pod => {
  const bad = badSettings(pod, rootUser);
  if (!anyBad(bad)) return undefined;
  const names = badContainerNames(bad);
  return {
    reason: 'runAsUser=0',
    detail: `${settersPhrase(bad.pod !== undefined, names)} must not set runAsUser=0`,
    containers: names,
    podLevel: bad.pod !== undefined,
    fix: 'Set runAsUser to a non-zero UID (the image\'s non-root user) instead of 0.',
  };
};

const celV1Dot23: CheckCel = {
  pod: { runAsUser: `${celGet(SPEC, 'securityContext.runAsUser', '1')} != 0` },
  container: { runAsUser: `${celGet('c', 'securityContext.runAsUser', '1')} != 0` },
};

export const runAsUser: CheckDefinition = {
  id: 'runAsUser',
  level: PolicyLevel.RESTRICTED,
  description: 'Pods and containers must not set runAsUser=0.',
  versions: [
    { minimumVersion: 'v1.23', checkPod: runAsUserV1Dot23, cel: celV1Dot23 },
    { minimumVersion: 'v1.35', checkPod: exemptUserNamespaces(runAsUserV1Dot23), cel: celExemptUserNamespaces(celV1Dot23) },
  ],
};
