/*
The default /proc masks are set up to reduce attack surface, and should be required.

**Restricted Fields:**
spec.containers[*].securityContext.procMount
spec.initContainers[*].securityContext.procMount
spec.ephemeralContainers[*].securityContext.procMount

**Allowed Values:** undefined/null, "Default"

v1.35+: at the restricted level, this replaces the baseline procMount check (which from
v1.35 relaxes for user-namespace pods), so restricted still forbids unmasked /proc.
*/
import { PolicyLevel } from '../types';
import { procMountCelV1Dot0, procMountV1Dot0 } from './check-proc-mount-baseline';
import { CheckDefinition } from './util';

export const procMountRestricted: CheckDefinition = {
  id: 'procMount_restricted',
  level: PolicyLevel.RESTRICTED,
  description: 'Containers must use the default /proc mount, even in user-namespace pods.',
  overrides: ['procMount'],
  versions: [{ minimumVersion: 'v1.35', checkPod: procMountV1Dot0, cel: procMountCelV1Dot0 }],
};
