/*
On supported hosts, the 'runtime/default' AppArmor profile is applied by default.
The baseline policy should prevent overriding or disabling the default AppArmor
profile, or restrict overrides to an allowed set of profiles.

**Restricted Fields:**
metadata.annotations['container.apparmor.security.beta.kubernetes.io/*']

**Allowed Values:** 'runtime/default', 'localhost/*', empty, undefined

**Restricted Fields:**
spec.securityContext.appArmorProfile.type
spec.containers[*].securityContext.appArmorProfile.type
spec.initContainers[*].securityContext.appArmorProfile.type
spec.ephemeralContainers[*].securityContext.appArmorProfile.type

**Allowed Values:** 'RuntimeDefault', 'Localhost', undefined

Upstream added the field checks (Kubernetes 1.30, AppArmor fields API) into its single
v1.0 revision rather than a new versioned one, so they apply at every policy version.
*/
import { Profile, SecurityContext } from '../pod-spec';
import { PolicyLevel } from '../types';
import { CheckCel, META, SPEC, celGet, celHas, celString } from './cel';
import { CheckDefinition, CheckPodFn, anyBad, badContainerNames, badSettings, badValues, joinQuote, pluralize, settersPhrase, sortedSet, unique } from './util';

/** The AppArmor annotation key prefix (exported for the admission policy's limits). */
export const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function allowedAnnotationValue(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

/** The profile type when it is set to a forbidden value. */
function badType(profile: Profile | undefined): string | undefined {
  return profile === undefined || profile.type === 'RuntimeDefault' || profile.type === 'Localhost' ? undefined : profile.type ?? '';
}

const badAppArmorType = (sc: SecurityContext | undefined) => badType(sc?.appArmorProfile);

const appArmorProfileV1Dot0: CheckPodFn = pod => {
  const bad = badSettings(pod, badAppArmorType);
  const annotations = pod.metadata.annotations;
  if (!anyBad(bad) && annotations === undefined) return undefined; // the common case, without allocating
  const podBad = bad.pod !== undefined;
  const badTypes = badValues(bad);

  const badAnnotations = Object.entries(annotations ?? {})
    .filter(([k, v]) => k.startsWith(ANNOTATION_PREFIX) && !allowedAnnotationValue(v))
    .map(([k, v]) => ({ container: k.slice(ANNOTATION_PREFIX.length), text: `${k}=${JSON.stringify(v)}` }))
    .sort((a, b) => (a.text < b.text ? -1 : 1));

  if (badTypes.length === 0 && badAnnotations.length === 0) return undefined;
  const forbidden = [...sortedSet(badTypes), ...badAnnotations.map(a => a.text)];
  const annotationSetters = badAnnotations.length > 0 ? [pluralize('annotation', 'annotations', badAnnotations.length)] : [];
  const names = badContainerNames(bad);
  return {
    reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', forbidden.length),
    detail: `${settersPhrase(podBad, names, ...annotationSetters)} must not set AppArmor profile type to ${joinQuote(forbidden)}`,
    containers: unique([...names, ...badAnnotations.map(a => a.container)]),
    podLevel: podBad || badAnnotations.length > 0,
    fix: 'Use AppArmor profile type RuntimeDefault or Localhost, or leave it unset (no Unconfined, no unconfined annotation).',
  };
};

/** The securityContext at `root` sets no appArmorProfile, or one of an allowed type. */
const celProfileOk = (root: string) =>
  `(!(${celHas(root, 'securityContext.appArmorProfile')}) || ${celGet(root, 'securityContext.appArmorProfile.type', "''")} in ['RuntimeDefault', 'Localhost'])`;

const celV1Dot0: CheckCel = {
  pod: {
    appArmorProfile: `${celProfileOk(SPEC)} && (!has(${META}.annotations) || ${META}.annotations.all(k, !k.startsWith(${celString(ANNOTATION_PREFIX)}) `
      + `|| ${META}.annotations[k] == '' || ${META}.annotations[k] == 'runtime/default' || ${META}.annotations[k].startsWith('localhost/')))`,
  },
  container: { appArmorProfile: celProfileOk('c') },
};

export const appArmorProfile: CheckDefinition = {
  id: 'appArmorProfile',
  level: PolicyLevel.BASELINE,
  description: 'AppArmor profiles (fields and beta annotations) may only be RuntimeDefault or Localhost.',
  versions: [{ minimumVersion: 'v1.0', checkPod: appArmorProfileV1Dot0, cel: celV1Dot0 }],
};
