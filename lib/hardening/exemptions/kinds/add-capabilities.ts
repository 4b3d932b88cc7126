/**
 * addCapabilities: the named capabilities may be added (`capabilities.add`); `drop: [ALL]` stays
 * required. Relaxes capabilities_baseline and capabilities_restricted for the listed
 * capabilities only.
 */
import { ExemptionKind } from '../../exemption-kind';
import type { ExemptionKindSpec } from '../kind';

export const ADD_CAPABILITIES: ExemptionKindSpec = {
  id: ExemptionKind.ADD_CAPABILITIES,
  podOnly: false,
  field: 'capabilities',
  relaxes: ['capabilities_baseline', 'capabilities_restricted'],
  fields: 'securityContext.capabilities.add: the listed capabilities',
  hint: "Exemption.addCapabilities(['NET_ADMIN'], reason, { container })",
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
