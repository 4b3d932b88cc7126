/*
If seccomp profiles are specified, only runtime default and localhost profiles are allowed.

v1.0 - v1.18:
**Restricted Fields:**
metadata.annotations['seccomp.security.alpha.kubernetes.io/pod']
metadata.annotations['container.seccomp.security.alpha.kubernetes.io/*']

**Allowed Values:** 'runtime/default', 'docker/default', 'localhost/*', undefined

v1.19+:
**Restricted Fields:**
spec.securityContext.seccompProfile.type
spec.containers[*].securityContext.seccompProfile.type
spec.initContainers[*].securityContext.seccompProfile.type
spec.ephemeralContainers[*].securityContext.seccompProfile.type

**Allowed Values:** 'RuntimeDefault', 'Localhost', undefined
*/
import { PodModel, Profile, SecurityContext } from '../pod-spec';
import { PolicyLevel } from '../types';
import { CheckCel, META, SPEC, celGet, celHas, celString } from './cel';
import {
  BadSettings, CheckDefinition, CheckPodFn, Forbidden, allContainers, anyBad, badContainerNames, badSettings, badValues,
  joinQuote, pluralize, settersPhrase, sortedSet,
} from './util';

export const ANNOTATION_POD = 'seccomp.security.alpha.kubernetes.io/pod';
export const ANNOTATION_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
const FIX = 'Set seccompProfile.type to RuntimeDefault or Localhost (never Unconfined).';

/** An annotation's own value (never an inherited property of the annotations object). */
function annotationOf(annotations: { readonly [key: string]: string }, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(annotations, key) ? annotations[key] : undefined;
}

function validAnnotationValue(v: string): boolean {
  return v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
}

/** True for RuntimeDefault and Localhost (shared with seccompProfile_restricted). */
export function validSeccomp(profile: Profile): boolean {
  return profile.type === 'RuntimeDefault' || profile.type === 'Localhost';
}

const invalidSeccompType = (sc: SecurityContext | undefined) =>
  (sc?.seccompProfile && !validSeccomp(sc.seccompProfile) ? sc.seccompProfile.type ?? '' : undefined);

/** Pod and containers that explicitly set an invalid seccompProfile.type (the value '' stands for a missing type). */
export function invalidSeccompSettings(pod: PodModel): BadSettings<string> {
  return badSettings(pod, invalidSeccompType);
}

/** Upstream's detail for explicitly invalid profiles, or undefined when there are none. */
export function explicitSeccompViolation(bad: BadSettings<string>): Forbidden | undefined {
  if (!anyBad(bad)) return undefined;
  const names = badContainerNames(bad);
  return {
    reason: 'seccompProfile',
    detail: `${settersPhrase(bad.pod !== undefined, names)} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues(bad)))}`,
    containers: names,
    podLevel: bad.pod !== undefined,
    fix: FIX,
  };
}

const seccompProfileBaselineV1Dot0: CheckPodFn = pod => {
  const annotations = pod.metadata.annotations;
  if (annotations === undefined) return undefined;
  const forbidden: string[] = [];
  const containers: string[] = [];
  const podValue = annotationOf(annotations, ANNOTATION_POD);
  if (podValue !== undefined && !validAnnotationValue(podValue)) forbidden.push(`${ANNOTATION_POD}=${JSON.stringify(podValue)}`);
  const all = allContainers(pod);
  for (let i = 0; i < all.length; i++) {
    const key = ANNOTATION_CONTAINER_PREFIX + all[i].name;
    const value = annotationOf(annotations, key);
    if (value !== undefined && !validAnnotationValue(value)) {
      forbidden.push(`${key}=${JSON.stringify(value)}`);
      containers.push(all[i].name);
    }
  }
  if (forbidden.length === 0) return undefined;
  const list = sortedSet(forbidden);
  return {
    reason: 'seccompProfile',
    detail: `forbidden ${pluralize('annotation', 'annotations', list.length)} ${list.join(', ')}`,
    containers,
    podLevel: true,
    fix: 'Set the seccomp annotations to runtime/default or localhost/<profile> (or use securityContext.seccompProfile).',
  };
};

const seccompProfileBaselineV1Dot19: CheckPodFn = pod => explicitSeccompViolation(invalidSeccompSettings(pod));

/** CEL: the seccomp annotation `key` (a CEL string) is unset or allowed. */
const celAnnotationOk = (key: string) => `(!has(${META}.annotations) || !(${key} in ${META}.annotations) || `
  + `${META}.annotations[${key}] in ['runtime/default', 'docker/default'] || ${META}.annotations[${key}].startsWith('localhost/'))`;

const celV1Dot0: CheckCel = {
  pod: { seccompAnnotation: celAnnotationOk(celString(ANNOTATION_POD)) },
  container: { seccompAnnotation: celAnnotationOk(`(${celString(ANNOTATION_CONTAINER_PREFIX)} + c.name)`) },
};

/** CEL: the securityContext at `root` sets no seccompProfile, or one of an allowed type (shared with seccompProfile_restricted). */
export const celSeccompOk = (root: string) =>
  `(!(${celHas(root, 'securityContext.seccompProfile')}) || ${celGet(root, 'securityContext.seccompProfile.type', "''")} in ['RuntimeDefault', 'Localhost'])`;

const celV1Dot19: CheckCel = { pod: { seccompProfile: celSeccompOk(SPEC) }, container: { seccompProfile: celSeccompOk('c') } };

export const seccompProfileBaseline: CheckDefinition = {
  id: 'seccompProfile_baseline',
  level: PolicyLevel.BASELINE,
  description: 'Seccomp profiles, if set, must be RuntimeDefault or Localhost (annotations before v1.19).',
  versions: [
    { minimumVersion: 'v1.0', checkPod: seccompProfileBaselineV1Dot0, cel: celV1Dot0 },
    { minimumVersion: 'v1.19', checkPod: seccompProfileBaselineV1Dot19, cel: celV1Dot19 },
  ],
};
