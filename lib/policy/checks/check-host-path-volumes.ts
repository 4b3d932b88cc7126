/*
HostPath volumes must be forbidden.

**Restricted Fields:**
spec.volumes[*].hostPath

**Allowed Values:** undefined/null
*/
import { PolicyLevel } from '../types';
import { CheckDefinition, CheckPodFn, joinQuote, pluralize } from './util';

const hostPathVolumesV1Dot0: CheckPodFn = ({ spec }) => {
  const bad: string[] = [];
  for (const v of spec.volumes) {
    if (v.sources.includes('hostPath')) bad.push(v.name);
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
  versions: [{ minimumVersion: 'v1.0', checkPod: hostPathVolumesV1Dot0 }],
};
