/**
 * Internal: what the core says about a cdk8s-plus line it does not import (docs/lines.md, "Differences between lines").
 *
 * cdk8s-plus 2.5.0 and later of the lines 32, 33 and 34 drop every pod volume of a `StatefulSet` whose own
 * `volumeClaimTemplates` (a public property those lines have) is undefined (cdk8s-team/cdk8s-plus#6735). A plain
 * StatefulSet hardened by `RootlessHardening.applyTo` is then written with mounts of volumes the manifest does not have,
 * and verification refuses it (`volumeMounts[0].name: Not found`). The volume is in the app, so that message alone
 * points the wrong way: this names the cause and the fix. The core reads the object's owner only through that public
 * property (it imports no cdk8s-plus line).
 *
 * Not exported from the package.
 */
import { ApiObject } from 'cdk8s';

/** The hint for `errors` of `obj`, if they are the missing volumes of a StatefulSet of a line that drops them; else none. */
export function droppedVolumesHint(obj: ApiObject, errors: readonly string[]): string[] {
  if (obj.kind !== 'StatefulSet' || !errors.some(e => /volumeMounts\[\d+\]\.name: Not found/.test(e))) return [];
  const owner = obj.node.scope as { addVolumeClaimTemplate?: unknown; volumeClaimTemplates?: unknown } | undefined;
  if (typeof owner?.addVolumeClaimTemplate !== 'function' || owner.volumeClaimTemplates !== undefined) return [];
  const line = kplusLineOf(owner);
  return [`the pod volumes of this StatefulSet are missing because ${line} drops every pod volume of a StatefulSet whose `
    + 'volumeClaimTemplates is undefined (cdk8s-team/cdk8s-plus#6735). Fix: set `statefulSet.volumeClaimTemplates = []` '
    + 'right after creating it (the empty list keeps the volumes), or use RootlessStatefulSet of cdk8s-rootless-plus-NN (docs/lines.md).'];
}

/** `cdk8s-plus-NN` of the owner's class, from its jsii type information, or the words for any of those lines. */
function kplusLineOf(owner: object): string {
  const fqn = (owner.constructor as unknown as { [k: symbol]: { fqn?: unknown } | undefined })?.[Symbol.for('jsii.rtti')]?.fqn;
  const line = typeof fqn === 'string' ? /^(cdk8s-plus-\d+)\./.exec(fqn)?.[1] : undefined;
  return line ?? 'cdk8s-plus (lines 32, 33 and 34)';
}
