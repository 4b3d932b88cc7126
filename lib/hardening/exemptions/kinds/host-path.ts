/**
 * hostPath: the pod may mount node directories (`hostPath` volumes, added by the author). Pod-only.
 * Relaxes hostPathVolumes and restrictedVolumes for hostPath volumes only.
 */
import { ExemptionKind } from '../../exemption-kind';
import type { ExemptionKindSpec } from '../kind';
import { listAt, objectAt } from './common';

export const HOST_PATH: ExemptionKindSpec = {
  id: ExemptionKind.HOST_PATH,
  podOnly: true,
  relaxes: ['hostPathVolumes', 'restrictedVolumes'],
  cel: { volumeSource: 'hostPath' },
  fields: 'spec.volumes[].hostPath',
  hint: 'Exemption.hostPath(reason)',
  detect: ({ spec, container }) => (!container && listAt(spec.volumes).some(v => objectAt(v).hostPath !== undefined)
    ? { what: 'the pod mounts node files (hostPath)' } : undefined),
  // the exemption permits the author's own hostPath volumes; it adds none
  revertPod: spec => {
    if (!Array.isArray(spec.volumes)) return;
    spec.volumes.forEach((v: any, i: number) => {
      if (typeof v === 'object' && v !== null && v.hostPath !== undefined) spec.volumes[i] = { name: v.name, emptyDir: {} };
    });
  },
};
