/**
 * serviceAccountToken: the pod gets an API token (`automountServiceAccountToken: true`, or a token
 * mounted by the author). Pod-only. Not a Pod Security check: relaxes the rootless rule
 * serviceAccountToken.
 */
import { atTokenPath, projectsToken } from '../../hardening/rootless-rules';
import type { KindDeclaration } from '../effects';
import { ExemptionKind } from '../exemption-kind';

export const SERVICE_ACCOUNT_TOKEN: KindDeclaration = {
  id: ExemptionKind.SERVICE_ACCOUNT_TOKEN,
  podOnly: true,
  relaxes: ['serviceAccountToken'],
  effects: [{ level: 'pod', field: 'automountServiceAccountToken', hardened: false, relaxed: true, unset: 'relaxed' }],
  // and the token volumes and mounts (keys of the rootless rule's CEL conditions)
  cel: { fields: ['serviceAccountTokenVolume', 'serviceAccountTokenMount'] },
  fields: 'spec.automountServiceAccountToken not false, token volumes and mounts at the token path',
  // the pod's API token stays mounted
  detect: ({ spec, container }) => (!container && spec.automountServiceAccountToken !== false
    ? { what: 'the pod calls the Kubernetes API with its service account token' } : undefined),
  revertPod: spec => {
    for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
      if (projectsToken(v)) v.projected.sources = v.projected.sources.filter((s: any) => !(typeof s === 'object' && s !== null && s.serviceAccountToken != null));
    }
    for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
      for (const c of Array.isArray(spec[list]) ? spec[list] : []) {
        if (Array.isArray(c?.volumeMounts) && c.volumeMounts.some((m: any) => atTokenPath(m?.mountPath))) {
          c.volumeMounts = c.volumeMounts.filter((m: any) => !atTokenPath(m?.mountPath));
        }
      }
    }
  },
};
