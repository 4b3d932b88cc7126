/*
Pod and containers must not set securityContext.windowsOptions.hostProcess to true.

**Restricted Fields:**
spec.securityContext.windowsOptions.hostProcess
spec.containers[*].securityContext.windowsOptions.hostProcess
spec.initContainers[*].securityContext.windowsOptions.hostProcess
spec.ephemeralContainers[*].securityContext.windowsOptions.hostProcess

**Allowed Values:** undefined / false
*/
import { SecurityContext } from '../pod-spec';
import { PolicyLevel } from '../types';
import { SPEC, celGet } from './cel';
import { CheckDefinition, CheckPodFn, anyBad, badContainerNames, badSettings, settersPhrase } from './util';

const hostProcess = (sc: SecurityContext | undefined) => (sc?.windowsOptions?.hostProcess === true ? true : undefined);

const windowsHostProcessV1Dot0: CheckPodFn = pod => {
  const bad = badSettings(pod, hostProcess);
  if (!anyBad(bad)) return undefined;
  const names = badContainerNames(bad);
  return {
    reason: 'hostProcess',
    detail: `${settersPhrase(bad.pod !== undefined, names)} must not set securityContext.windowsOptions.hostProcess=true`,
    containers: names,
    podLevel: bad.pod !== undefined,
    fix: 'Remove securityContext.windowsOptions.hostProcess (or set it to false).',
  };
};

export const windowsHostProcess: CheckDefinition = {
  id: 'windowsHostProcess',
  level: PolicyLevel.BASELINE,
  description: 'Pods and containers must not run as Windows HostProcess containers.',
  versions: [{
    minimumVersion: 'v1.0',
    checkPod: windowsHostProcessV1Dot0,
    cel: {
      pod: { hostProcess: `${celGet(SPEC, 'securityContext.windowsOptions.hostProcess', 'false')} != true` },
      container: { hostProcess: `${celGet('c', 'securityContext.windowsOptions.hostProcess', 'false')} != true` },
    },
  }],
};
