/**
 * runAsRoot: the container (or every container) may run as UID 0.
 * Applied: the user defaults to 0 (resolved by the hardening plan), and `runAsNonRoot` is not
 * `true` where the user is 0. Relaxes runAsNonRoot and runAsUser for its scope only.
 */
import { ExemptionKind } from '../exemption-kind';
import type { ExemptionKindSpec, JsonObject } from '../kind';
import { NON_ROOT_UID, objectAt, podSecurityContext, set } from './common';

function revertRoot(sc: JsonObject, podNonRoot: unknown): void {
  if (sc.runAsUser === 0) sc.runAsUser = NON_ROOT_UID;
  // the container's effective runAsNonRoot becomes true (its own, or the pod's when it has none)
  if (sc.runAsNonRoot === false || (sc.runAsNonRoot !== true && podNonRoot !== true)) set(sc, 'runAsNonRoot', true);
}

export const RUN_AS_ROOT: ExemptionKindSpec = {
  id: ExemptionKind.RUN_AS_ROOT,
  podOnly: false,
  relaxes: ['runAsNonRoot', 'runAsUser'],
  cel: { fields: ['runAsNonRoot', 'runAsUser'] },
  fields: 'securityContext.runAsUser: 0 and runAsNonRoot not true',
  hint: 'Exemption.runAsRoot(reason, { container })',
  // the pod sets runAsNonRoot: false; a container sets it, or runs as UID 0
  detect: ({ spec, container: c }) => {
    if (!c) return objectAt(spec.securityContext).runAsNonRoot === false ? { what: 'the pod sets runAsNonRoot: false' } : undefined;
    return objectAt(c.securityContext).runAsNonRoot === false || c.user === 0 ? { what: `container ${c.name} runs as root` } : undefined;
  },
  revertContainer: (sc, _e, _c, spec) => revertRoot(sc, spec.securityContext?.runAsNonRoot),
  revertPod: spec => {
    const sc = spec.securityContext;
    if (typeof sc === 'object' && sc !== null && (sc.runAsUser === 0 || sc.runAsNonRoot === false)) revertRoot(podSecurityContext(spec), undefined);
  },
};
