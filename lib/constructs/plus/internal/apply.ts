/**
 * Internal: the apply stage of the hardening (docs/architecture.md, "Hardening: plan, apply,
 * verify"): plan in, pod spec out. Sets every security field of the cdk8s-plus pod spec (cdk8s
 * field names) from the plan and the exemption kinds' `apply*` facets; security contexts are
 * replaced, not merged: nothing else sets them.
 */
import type * as kplus from 'cdk8s-plus-27';
import type { ContainerPlan, PodPlan } from './plan';
import { kindOf } from '../../../exemptions/registry';
import { hardenedContainerSecurityContext, hardenedPodFields, hardenedPodSecurityContext } from '../../../hardening/defaults';

type Mutable<T> = { -readonly [P in keyof T]: T[P] };
/** The cdk8s-plus (pre-serialization) pod spec: its field names are cdk8s's (`hostPid`), not the API's (`hostPID`). */
type RawPodSpec = Omit<Mutable<kplus.k8s.PodSpec>, 'securityContext'> & { securityContext: Mutable<kplus.k8s.PodSecurityContext> };
type RawSecurityContext = Omit<Mutable<kplus.k8s.SecurityContext>, 'capabilities'> & { capabilities: Mutable<kplus.k8s.Capabilities> };

/** The hardened pod spec: `spec` (a fresh one from cdk8s-plus, changed in place) with the plan applied. */
export function applyPlan(spec: kplus.k8s.PodSpec, p: PodPlan, containers: ReadonlyMap<string, ContainerPlan>): kplus.k8s.PodSpec {
  const effective = (name: string) => containers.get(name)?.user ?? p.user;
  const nonRoot = (list: readonly kplus.k8s.Container[] | undefined) => list === undefined || list.every(c => effective(c.name) !== 0);
  // cdk8s-plus builds a new spec (and new container objects) on every call: set the fields in place
  const out = spec as RawPodSpec;
  // the hardened defaults are defaults.ts's (shared with `cdk8s-rootless harden`); key order as before
  const pod = hardenedPodSecurityContext();
  out.securityContext = {
    runAsNonRoot: p.user !== 0 && nonRoot(spec.initContainers) && nonRoot(spec.containers) ? pod.runAsNonRoot : undefined,
    runAsUser: p.user,
    runAsGroup: p.group,
    fsGroup: p.fsGroup,
    fsGroupChangePolicy: p.fsGroupChangePolicy,
    seccompProfile: pod.seccompProfile,
    sysctls: p.sysctls.length > 0 ? p.sysctls : undefined,
  };
  out.hostNetwork = false;
  out.automountServiceAccountToken = hardenedPodFields().automountServiceAccountToken;
  const harden = (c: kplus.k8s.Container): kplus.k8s.Container => {
    const plan = containers.get(c.name);
    const sc: RawSecurityContext = {
      // allowPrivilegeEscalation, privileged, readOnlyRootFilesystem, capabilities, runAsNonRoot (a fresh copy)
      ...hardenedContainerSecurityContext(),
      // a container that runs as root says so explicitly: it must not inherit a pod-level `true`
      // (the kubelet would refuse it), and the manifest should not leave it implicit
      runAsNonRoot: effective(c.name) !== 0,
      runAsUser: plan?.user,
      runAsGroup: plan?.group,
    };
    for (const e of p.exemptions) if (e.container === undefined || e.container === c.name) kindOf(e.kind).applyContainer?.(sc, e);
    (c as Mutable<kplus.k8s.Container>).securityContext = sc;
    return c;
  };
  out.containers = spec.containers.map(harden);
  out.initContainers = spec.initContainers?.map(harden);
  for (const e of p.exemptions) if (e.container === undefined) kindOf(e.kind).applyPod?.(out, e);
  return out;
}
