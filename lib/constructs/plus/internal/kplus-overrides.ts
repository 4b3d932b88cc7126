/**
 * Internal: the only place this library reaches into cdk8s-plus-27 beyond its public surface.
 *
 * cdk8s-plus-27 cannot express what a restricted pod needs (`capabilities.drop: [ALL]`, a seccomp
 * profile) nor StatefulSet `volumeClaimTemplates` (27 and 28 have none; how the lines differ there:
 * line-differences.ts), so the constructs override two of its
 * `@internal` members — `_toPodSpec()` (every workload) and `StatefulSet._toKube()` — each with a
 * one-line delegate into this module (jsii has no mixins). This module checks when it loads that
 * those members still exist, and fails with a message naming the installed cdk8s-plus-27 version
 * when they do not, instead of emitting an unhardened pod. See docs/architecture.md.
 *
 * Not exported from the package.
 */
import * as kplus from 'cdk8s-plus-27';
import type { Hardening } from './hardening';

/** The cdk8s-plus-27 members overridden, by the class that declares them. */
const OVERRIDDEN: ReadonlyArray<readonly [string, unknown, string]> = [
  ['AbstractPod', kplus.AbstractPod, '_toPodSpec'],
  ['Workload', kplus.Workload, '_toPodSpec'],
  ['StatefulSet', kplus.StatefulSet, '_toKube'],
];

/**
 * The installed cdk8s-plus, name and version, for messages: each line's package reads its own line's (the line build
 * binds 'cdk8s-plus-27' to the line; docs/lines.md), so a message never names a line the user does not have.
 */
function kplusPackage(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { name, version } = require('cdk8s-plus-27/package.json');
    return `${name} ${version}`;
  } catch {
    return 'cdk8s-plus (of unknown version)';
  }
}

/** Throws when a member the constructs override is missing from cdk8s-plus-27 (checked once, at load). */
export function checkKplusInternals(classes: ReadonlyArray<readonly [string, unknown, string]> = OVERRIDDEN): void {
  for (const [name, cls, member] of classes) {
    const proto = typeof cls === 'function' ? (cls as { prototype?: any }).prototype : undefined;
    if (typeof proto?.[member] !== 'function') {
      const installed = kplusPackage();
      throw new Error(`cdk8s-rootless: ${installed} has no ${name}.${member}(), which cdk8s-rootless overrides to harden `
        + 'the pod spec (cdk8s-plus cannot express capabilities.drop: [ALL] or a seccomp profile otherwise). '
        + `Fix: install a ${installed.split(' ')[0]} 2.x version that has it (the versions each line is tested with: docs/lines.md), or upgrade cdk8s-rootless.`);
    }
  }
}

checkKplusInternals();

/** A claim mounted into the app containers (and the permission init container) of a RootlessStatefulSet. */
export interface ClaimMount {
  readonly name: string;
  readonly mountPath: string;
}

/** The hardened pod spec of a construct: its cdk8s-plus spec with the claims mounted (stateful sets), hardened. */
export function hardenedPodSpec(
  hardening: Hardening, spec: kplus.k8s.PodSpec, claims?: { mounts: readonly ClaimMount[]; initContainer: string },
): kplus.k8s.PodSpec {
  if (!claims || claims.mounts.length === 0) return hardening.hardenPodSpec(spec);
  const mounted = (c: kplus.k8s.Container) => ({ ...c, volumeMounts: [...c.volumeMounts ?? [], ...claims.mounts] });
  return hardening.hardenPodSpec({
    ...spec,
    containers: spec.containers.map(mounted),
    initContainers: spec.initContainers?.map(c => c.name === claims.initContainer ? mounted(c) : c),
  });
}
