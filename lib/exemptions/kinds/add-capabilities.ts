/**
 * addCapabilities: the named capabilities may be added (`capabilities.add`); `drop: [ALL]` stays
 * required. Relaxes capabilities_baseline and capabilities_restricted for the listed
 * capabilities only.
 */
import { capabilityProblem } from '../../hardening/capabilities';
import { ExemptionKind } from '../exemption-kind';
import type { ExemptionKindSpec } from '../kind';
import { listAt, objectAt } from './common';

export const ADD_CAPABILITIES: ExemptionKindSpec = {
  id: ExemptionKind.ADD_CAPABILITIES,
  podOnly: false,
  field: 'capabilities',
  relaxes: ['capabilities_baseline', 'capabilities_restricted'],
  cel: { capabilities: true },
  fields: 'securityContext.capabilities.add: the listed capabilities',
  hint: "Exemption.addCapabilities(['NET_ADMIN'], reason, { container })",
  // the added capabilities restricted does not allow, named as an exemption names them (no CAP_)
  detect: ({ container: c }) => {
    if (!c) return undefined;
    const capabilities = [...new Set(extraCapabilities(c.securityContext).map(kubernetesCapability).filter((x): x is string => x !== undefined))];
    return capabilities.length > 0 ? { what: `container ${c.name} needs ${capabilities.join(', ')}`, capabilities } : undefined;
  },
  applyContainer: (sc, e) => {
    sc.capabilities.add = [...new Set([...sc.capabilities.add ?? [], ...e.capabilities!])];
  },
  revertContainer: (sc, e) => {
    const add: unknown = sc.capabilities?.add;
    if (!Array.isArray(add) || !add.some(c => e.capabilities!.includes(c))) return;
    const kept = add.filter(c => !e.capabilities!.includes(c));
    if (kept.length > 0) sc.capabilities.add = kept; else delete sc.capabilities.add;
  },
};

/** A capability as Kubernetes spells it: upper case, without `CAP_` (undefined when it is no Linux capability). */
export function kubernetesCapability(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const bare = name.toUpperCase().replace(/^CAP_/, '');
  return capabilityProblem(bare) === undefined ? bare : undefined;
}

/** The added capabilities restricted does not allow (anything but the exact `NET_BIND_SERVICE`), as written. */
export function extraCapabilities(securityContext: unknown): unknown[] {
  return listAt(objectAt(objectAt(securityContext).capabilities).add).filter(a => a !== 'NET_BIND_SERVICE');
}
