/*
Host field is restricted in the probes and lifecycle handlers.

**Restricted Fields:**
spec.containers[*].livenessProbe.httpGet.host
spec.containers[*].readinessProbe.httpGet.host
spec.containers[*].startupProbe.httpGet.host
spec.containers[*].livenessProbe.tcpSocket.host
spec.containers[*].readinessProbe.tcpSocket.host
spec.containers[*].startupProbe.tcpSocket.host
spec.containers[*].lifecycle.postStart.httpGet.host
spec.containers[*].lifecycle.preStop.httpGet.host
spec.containers[*].lifecycle.postStart.tcpSocket.host  (deprecated handler, still checked)
spec.containers[*].lifecycle.preStop.tcpSocket.host    (deprecated handler, still checked)
... and the same fields of spec.initContainers[*] and spec.ephemeralContainers[*]

**Allowed Values:** "", undefined/null

v1.34+ (new baseline control in Kubernetes 1.34).
*/
import { HostHandler } from '../pod-spec';
import { PolicyLevel } from '../types';
import { celGet } from './cel';
import { CheckDefinition, CheckPodFn, allContainers, containersPhrase, joinQuote, pluralize, sortedSet } from './util';

/** Adds the hosts a handler sets to `out` (allocation-free when none is set: the common case). */
function addHosts(h: HostHandler | undefined, out: string[]): void {
  if (h === undefined) return;
  if (h.httpGet?.host) out.push(h.httpGet.host);
  if (h.tcpSocket?.host) out.push(h.tcpSocket.host);
}

const hostProbesAndHostLifecycleV1Dot34: CheckPodFn = pod => {
  const bad: string[] = [];
  const forbidden: string[] = [];
  const containers = allContainers(pod);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    const before = forbidden.length;
    addHosts(c.livenessProbe, forbidden);
    addHosts(c.readinessProbe, forbidden);
    addHosts(c.startupProbe, forbidden);
    if (c.lifecycle !== undefined) {
      addHosts(c.lifecycle.postStart, forbidden);
      addHosts(c.lifecycle.preStop, forbidden);
    }
    if (forbidden.length > before) bad.push(c.name);
  }
  if (bad.length === 0) return undefined;
  const names = sortedSet(bad);
  const values = sortedSet(forbidden);
  return {
    reason: 'probe or lifecycle host',
    detail: `${containersPhrase(names)} ${pluralize('uses', 'use', names.length)} `
      + `${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', values.length)} ${joinQuote(values)}`,
    containers: names,
    fix: 'Remove the host field from httpGet/tcpSocket probes and lifecycle handlers (they then target the pod IP).',
  };
};

const HANDLERS = ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle.postStart', 'lifecycle.preStop'];
const celHostUnset = HANDLERS.flatMap(h => ['httpGet', 'tcpSocket'].map(kind => `${celGet('c', `${h}.${kind}.host`, "''")} == ''`)).join(' && ');

export const hostProbesAndHostLifecycle: CheckDefinition = {
  id: 'hostProbesAndHostLifecycle',
  level: PolicyLevel.BASELINE,
  description: 'Probes and lifecycle handlers must not set httpGet.host or tcpSocket.host.',
  versions: [{ minimumVersion: 'v1.34', checkPod: hostProbesAndHostLifecycleV1Dot34, cel: { container: { host: celHostUnset } } }],
};
