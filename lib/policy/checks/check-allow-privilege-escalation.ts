/*
Privilege escalation (such as via set-user-ID or set-group-ID file mode) should not be allowed.

**Restricted Fields:**
spec.containers[*].securityContext.allowPrivilegeEscalation
spec.initContainers[*].securityContext.allowPrivilegeEscalation
spec.ephemeralContainers[*].securityContext.allowPrivilegeEscalation

**Allowed Values:** false

v1.8+ (the field was added in Kubernetes 1.8).
v1.25+: pods with spec.os.name=windows are exempt (the field cannot be set on them).
*/
import { Container } from '../pod-spec';
import { PolicyLevel } from '../types';
import { CheckCel, celExemptWindows, celGet } from './cel';
import { CheckDefinition, CheckPodFn, containersPhrase, containersWhere, exemptWindows } from './util';

const mayEscalate = (c: Container) => c.securityContext?.allowPrivilegeEscalation !== false;

const allowPrivilegeEscalationV1Dot8: CheckPodFn = pod => {
  const bad = containersWhere(pod, mayEscalate);
  if (bad.length === 0) return undefined;
  return {
    reason: 'allowPrivilegeEscalation != false',
    detail: `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`,
    containers: bad,
    fix: 'Set securityContext.allowPrivilegeEscalation: false on every listed container.',
  };
};

const celV1Dot8: CheckCel = {
  container: { allowPrivilegeEscalation: `${celGet('c', 'securityContext.allowPrivilegeEscalation', 'true')} == false` },
};

export const allowPrivilegeEscalation: CheckDefinition = {
  id: 'allowPrivilegeEscalation',
  level: PolicyLevel.RESTRICTED,
  description: 'Containers must set securityContext.allowPrivilegeEscalation=false.',
  versions: [
    { minimumVersion: 'v1.8', checkPod: allowPrivilegeEscalationV1Dot8, cel: celV1Dot8 },
    { minimumVersion: 'v1.25', checkPod: exemptWindows(allowPrivilegeEscalationV1Dot8), cel: celExemptWindows(celV1Dot8) },
  ],
};
