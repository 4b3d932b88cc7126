/*
Privileged Pods disable most security mechanisms and must be disallowed.

**Restricted Fields:**
spec.containers[*].securityContext.privileged
spec.initContainers[*].securityContext.privileged
spec.ephemeralContainers[*].securityContext.privileged

**Allowed Values:** false, undefined/null
*/
import { Container } from '../pod-spec';
import { PolicyLevel } from '../types';
import { celGet } from './cel';
import { CheckDefinition, CheckPodFn, containersPhrase, containersWhere } from './util';

const isPrivileged = (c: Container) => c.securityContext?.privileged === true;

const privilegedV1Dot0: CheckPodFn = pod => {
  const bad = containersWhere(pod, isPrivileged);
  if (bad.length === 0) return undefined;
  return {
    reason: 'privileged',
    detail: `${containersPhrase(bad)} must not set securityContext.privileged=true`,
    containers: bad,
    fix: 'Remove securityContext.privileged (or set it to false) on every listed container.',
  };
};

export const privileged: CheckDefinition = {
  id: 'privileged',
  level: PolicyLevel.BASELINE,
  description: 'Containers must not run privileged.',
  versions: [{
    minimumVersion: 'v1.0',
    checkPod: privilegedV1Dot0,
    cel: { container: { privileged: `${celGet('c', 'securityContext.privileged', 'false')} != true` } },
  }],
};
