/*
HostPort ports must be forbidden.

**Restricted Fields:**
spec.containers[*].ports[*].hostPort
spec.initContainers[*].ports[*].hostPort
spec.ephemeralContainers[*].ports[*].hostPort

**Allowed Values:** undefined/0
*/
import { ContainerPort } from '../pod-spec';
import { PolicyLevel } from '../types';
import { CheckDefinition, CheckPodFn, allContainers, containersPhrase, pluralize, sortedSet } from './util';

const NO_PORTS: readonly ContainerPort[] = [];

const hostPortsV1Dot0: CheckPodFn = pod => {
  const bad: string[] = [];
  const ports: string[] = [];
  const containers = allContainers(pod);
  for (let i = 0; i < containers.length; i++) {
    const containerPorts = containers[i].ports ?? NO_PORTS;
    const before = ports.length;
    for (let k = 0; k < containerPorts.length; k++) {
      const hostPort = containerPorts[k].hostPort;
      if (hostPort !== undefined && hostPort !== 0) ports.push(String(hostPort));
    }
    if (ports.length > before) bad.push(containers[i].name);
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
  versions: [{
    minimumVersion: 'v1.0',
    checkPod: hostPortsV1Dot0,
    cel: { container: { hostPort: '!has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0)' } },
  }],
};
