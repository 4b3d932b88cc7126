/*
In addition to restricting HostPath volumes, the restricted profile
limits usage of inline pod volume sources to:
* configMap
* csi
* downwardAPI
* emptyDir
* ephemeral
* image
* persistentVolumeClaim
* projected
* secret

**Restricted Fields:**
spec.volumes[*].hostPath, .gcePersistentDisk, .awsElasticBlockStore, .gitRepo, .nfs, .iscsi,
.glusterfs, .rbd, .flexVolume, .cinder, .cephfs, .flocker, .fc, .azureFile, .vsphereVolume,
.quobyte, .azureDisk, .portworxVolume, .photonPersistentDisk, .scaleIO, .storageos
(and any other, unknown, volume source)

**Allowed Values:** undefined/null

Overrides hostPathVolumes at the restricted level. Upstream allowed `image` volumes
(Kubernetes 1.33, PR #130394) inside its single v1.0 revision, so every policy version allows them.
*/
import { Volume, volumeSources } from '../pod-spec';
import { PolicyLevel } from '../types';
import { celList } from './cel';
import { CheckDefinition, CheckPodFn, joinQuote, pluralize, sortedSet } from './util';

const ALLOWED_VOLUME_SOURCES = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret',
]);

const NO_VOLUMES: readonly Volume[] = [];

const restrictedVolumesV1Dot0: CheckPodFn = ({ spec }) => {
  const bad: string[] = [];
  const badTypes: string[] = [];
  const volumes = spec.volumes ?? NO_VOLUMES;
  for (let i = 0; i < volumes.length; i++) {
    const sources = volumeSources(volumes[i]);
    const before = badTypes.length;
    for (let k = 0; k < sources.length; k++) {
      if (!ALLOWED_VOLUME_SOURCES.has(sources[k])) badTypes.push(sources[k]);
    }
    if (badTypes.length > before) bad.push(volumes[i].name);
  }
  if (bad.length === 0) return undefined;
  const types = sortedSet(badTypes);
  return {
    reason: 'restricted volume types',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} `
      + `${pluralize('restricted volume type', 'restricted volume types', types.length)} ${joinQuote(types)}`,
    podLevel: true,
    fix: 'Use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes.',
  };
};

export const restrictedVolumes: CheckDefinition = {
  id: 'restrictedVolumes',
  level: PolicyLevel.RESTRICTED,
  description: 'Volumes must be configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret.',
  overrides: ['hostPathVolumes'],
  // A volume source is any key but name (volumeSources); none set reads as emptyDir.
  versions: [{ minimumVersion: 'v1.0', checkPod: restrictedVolumesV1Dot0, cel: { volume: `v.all(k, k == 'name' || k in ${celList(ALLOWED_VOLUME_SOURCES)})` } }],
};
