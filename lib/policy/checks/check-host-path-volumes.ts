/*
HostPath volumes must be forbidden.

**Restricted Fields:**
spec.volumes[*].hostPath

**Allowed Values:** undefined/null
*/
import { Volume, volumeSources } from '../pod-spec';
import { PolicyLevel } from '../types';
import { CheckDefinition, CheckPodFn, joinQuote, pluralize } from './util';

const NO_VOLUMES: readonly Volume[] = [];

const hostPathVolumesV1Dot0: CheckPodFn = ({ spec }) => {
  const bad: string[] = [];
  const volumes = spec.volumes ?? NO_VOLUMES;
  for (let i = 0; i < volumes.length; i++) {
    if (volumeSources(volumes[i]).includes('hostPath')) bad.push(volumes[i].name);
  }
  if (bad.length === 0) return undefined;
  return {
    reason: 'hostPath volumes',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`,
    podLevel: true,
    fix: 'Replace the hostPath volumes with emptyDir, configMap, secret, projected or persistentVolumeClaim volumes.',
  };
};

export const hostPathVolumes: CheckDefinition = {
  id: 'hostPathVolumes',
  level: PolicyLevel.BASELINE,
  description: 'Pods must not use hostPath volumes.',
  versions: [{ minimumVersion: 'v1.0', checkPod: hostPathVolumesV1Dot0, cel: { volume: '!has(v.hostPath)' } }],
};
