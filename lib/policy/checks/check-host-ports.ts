/*
HostPort ports must be forbidden.

**Restricted Fields:**
spec.containers[*].ports[*].hostPort
spec.initContainers[*].ports[*].hostPort
spec.ephemeralContainers[*].ports[*].hostPort

**Allowed Values:** undefined/0
*/
import { PolicyLevel } from '../types';
import { CheckDefinition, CheckPodFn, allContainers, containersPhrase, pluralize, sortedSet } from './util';

const hostPortsV1Dot0: CheckPodFn = ({ spec }) => {
  const bad: string[] = [];
  const ports: string[] = [];
  for (const c of allContainers(spec)) {
    const before = ports.length;
    for (const p of c.hostPorts) {
      if (p !== 0) ports.push(String(p));
    }
    if (ports.length > before) bad.push(c.name);
  }
  if (bad.length === 0) return undefined;
  const forbidden = sortedSet(ports);
  return {
    reason: 'hostPort',
    detail: `${containersPhrase(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', forbidden.length)} ${forbidden.join(', ')}`,
    containers: bad,
    fix: 'Remove ports[*].hostPort and expose the container through a Service instead.',
  };
};

export const hostPorts: CheckDefinition = {
  id: 'hostPorts',
  level: PolicyLevel.BASELINE,
  description: 'Containers must not use host ports.',
  versions: [{ minimumVersion: 'v1.0', checkPod: hostPortsV1Dot0 }],
};
