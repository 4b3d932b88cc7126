/*
Adding NET_RAW or capabilities beyond the default set must be disallowed.

**Restricted Fields:**
spec.containers[*].securityContext.capabilities.add
spec.initContainers[*].securityContext.capabilities.add
spec.ephemeralContainers[*].securityContext.capabilities.add

**Allowed Values:**
undefined / empty
values from the default set "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"
*/
import { PolicyLevel } from '../types';
import { celList } from './cel';
import { CheckDefinition, CheckPodFn, allContainers, containersPhrase, joinQuote, sortedSet } from './util';

const CAPABILITIES_ALLOWED_1_0 = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

const NONE: readonly string[] = [];

const capabilitiesBaselineV1Dot0: CheckPodFn = pod => {
  const bad: string[] = [];
  const nonDefault: string[] = [];
  const containers = allContainers(pod);
  for (let i = 0; i < containers.length; i++) {
    const add = containers[i].securityContext?.capabilities?.add ?? NONE;
    const before = nonDefault.length;
    for (let k = 0; k < add.length; k++) {
      if (!CAPABILITIES_ALLOWED_1_0.has(add[k])) nonDefault.push(add[k]);
    }
    if (nonDefault.length > before) bad.push(containers[i].name);
  }
  if (bad.length === 0) return undefined;
  return {
    reason: 'non-default capabilities',
    detail: `${containersPhrase(bad)} must not include ${joinQuote(sortedSet(nonDefault))} in securityContext.capabilities.add`,
    containers: bad,
    fix: 'Remove the listed capabilities from securityContext.capabilities.add (only the default set may be added).',
  };
};

export const capabilitiesBaseline: CheckDefinition = {
  id: 'capabilities_baseline',
  level: PolicyLevel.BASELINE,
  description: 'Containers may only add capabilities from the default set (no NET_RAW, SYS_ADMIN, ...).',
  versions: [{ minimumVersion: 'v1.0', checkPod: capabilitiesBaselineV1Dot0, cel: { capability: `cap in ${celList(CAPABILITIES_ALLOWED_1_0)}` } }],
};
