/*
Setting the SELinux type is restricted, and setting a custom SELinux user or role option is forbidden.

**Restricted Fields:**
spec.securityContext.seLinuxOptions.type
spec.containers[*].securityContext.seLinuxOptions.type
spec.initContainers[*].securityContext.seLinuxOptions.type
spec.ephemeralContainers[*].securityContext.seLinuxOptions.type

**Allowed Values:**
undefined/empty
container_t
container_init_t
container_kvm_t
container_engine_t (v1.31+)

**Restricted Fields:**
spec.securityContext.seLinuxOptions.user
spec.containers[*].securityContext.seLinuxOptions.user
spec.initContainers[*].securityContext.seLinuxOptions.user
spec.ephemeralContainers[*].securityContext.seLinuxOptions.user
spec.securityContext.seLinuxOptions.role
spec.containers[*].securityContext.seLinuxOptions.role
spec.initContainers[*].securityContext.seLinuxOptions.role
spec.ephemeralContainers[*].securityContext.seLinuxOptions.role

**Allowed Values:** undefined/empty
*/
import { SELinuxOptions, SecurityContext } from '../pod-spec';
import { PolicyLevel } from '../types';
import { CheckCel, SPEC, celGet, celHas, celList } from './cel';
import { CheckDefinition, CheckPodFn, anyBad, badContainerNames, badSettings, badValues, joinQuote, pluralize, settersPhrase, sortedSet } from './util';

const TYPES_1_0 = ['container_t', 'container_init_t', 'container_kvm_t'];
const TYPES_1_31 = [...TYPES_1_0, 'container_engine_t'];

function seLinuxOptionsCheck(allowedTypes: string[]): CheckPodFn {
  const allowed = new Set(['', ...allowedTypes]);
  const isBad = (o: SELinuxOptions) => !allowed.has(o.type ?? '') || !!o.user || !!o.role;
  const badOptions = (sc: SecurityContext | undefined) => (sc?.seLinuxOptions && isBad(sc.seLinuxOptions) ? sc.seLinuxOptions : undefined);
  return pod => {
    const bad = badSettings(pod, badOptions);
    if (!anyBad(bad)) return undefined;
    const options = badValues(bad);
    const badTypes = sortedSet(options.filter(o => !allowed.has(o.type ?? '')).map(o => o.type ?? ''));
    const badData = [
      ...(badTypes.length > 0 ? [`${pluralize('type', 'types', badTypes.length)} ${joinQuote(badTypes)}`] : []),
      ...(options.some(o => !!o.user) ? ['user may not be set'] : []),
      ...(options.some(o => !!o.role) ? ['role may not be set'] : []),
    ];
    const names = badContainerNames(bad);
    return {
      reason: 'seLinuxOptions',
      detail: `${settersPhrase(bad.pod !== undefined, names)} set forbidden securityContext.seLinuxOptions: ${badData.join('; ')}`,
      containers: names,
      podLevel: bad.pod !== undefined,
      fix: `Remove seLinuxOptions.user and .role, and use type ${allowedTypes.join(', ')} or leave it unset.`,
    };
  };
}

function seLinuxOptionsCel(allowedTypes: string[]): CheckCel {
  const ok = (root: string) => `(!(${celHas(root, 'securityContext.seLinuxOptions')}) || `
    + `(${celGet(root, 'securityContext.seLinuxOptions.type', "''")} in ${celList(['', ...allowedTypes])} && `
    + `${celGet(root, 'securityContext.seLinuxOptions.user', "''")} == '' && ${celGet(root, 'securityContext.seLinuxOptions.role', "''")} == ''))`;
  return { pod: { seLinuxOptions: ok(SPEC) }, container: { seLinuxOptions: ok('c') } };
}

export const seLinuxOptions: CheckDefinition = {
  id: 'seLinuxOptions',
  level: PolicyLevel.BASELINE,
  description: 'SELinux options must not set user or role, and only container_* types are allowed.',
  versions: [
    { minimumVersion: 'v1.0', checkPod: seLinuxOptionsCheck(TYPES_1_0), cel: seLinuxOptionsCel(TYPES_1_0) },
    { minimumVersion: 'v1.31', checkPod: seLinuxOptionsCheck(TYPES_1_31), cel: seLinuxOptionsCel(TYPES_1_31) },
  ],
};
