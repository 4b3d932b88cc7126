/**
 * Internal: how `RootlessHardening.applyTo` (lib/constructs/rootless-hardening.ts) renders and patches the
 * `ApiObject`s it adopts, through cdk8s' public surface.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { OutputVerifier } from './output-verifier';
import { AddOperation, quantitiesAsProps } from '../../hardening/adopt/editor';
import { isPodBearing, podBearingItems } from '../../hardening/adopt/object';
import type { HardeningSettings } from '../../hardening/adopt/settings';

/**
 * Whether the object's class maps its props to the API's JSON after the patches (cdk8s' imported
 * classes, e.g. cdk8s-plus' `KubeDeployment`, override `toJson`): there a quantity is read as
 * `{ value }` and a plain string vanishes.
 */
export function mapsItsProps(obj: ApiObject): boolean {
  // the object's own toJson, not the one verifier's override of it (output-verifier.ts)
  return OutputVerifier.unverifiedToJson(obj) !== ApiObject.prototype.toJson;
}

export function toPatch(o: AddOperation, pointer: string, props: boolean): JsonPatch {
  const value = props ? quantitiesAsProps(o.value) : o.value;
  if (o.op === 'test') return JsonPatch.test(pointer + o.path, value);
  return o.op === 'add' ? JsonPatch.add(pointer + o.path, value) : JsonPatch.replace(pointer + o.path, value);
}

/**
 * The apiVersion and kind of a pod-bearing object that a plain `ApiObject` (whose kind a JSON patch
 * can change; cdk8s' generated classes write their own) renders as, though constructed as another.
 */
export function patchedInto(obj: ApiObject): string | undefined {
  if (mapsItsProps(obj)) return undefined;
  let manifest: any;
  try {
    manifest = render(obj);
  } catch {
    return undefined; // cdk8s reports it when it serializes the object
  }
  return isPodBearing(manifest?.apiVersion, manifest?.kind) ? `${manifest.apiVersion} ${manifest.kind}` : undefined;
}

/** Whether a List holds pod-bearing items (one that cannot be rendered is adopted, which reports why). */
export function holdsPods(list: ApiObject): boolean {
  try {
    return podBearingItems(render(list)).length > 0;
  } catch {
    return true;
  }
}

/** The object as cdk8s serializes it, as JSON data (`OutputVerifier.jsonData`: what is read is what is hardened and written). */
export function render(obj: ApiObject): any {
  return OutputVerifier.jsonData(obj.toJson(), obj.node.path);
}

/**
 * The props of `applyTo` that a call compares with those of another call that hardens its objects:
 * what a human is told and what fails (a token kept, the notes). The default user and writable paths
 * of an enclosing call win over a nested call's (docs/migration.md).
 */
export const COMPARED_PROPS = ['serviceAccountTokens', 'strictTokens', 'notes'] as const;

/**
 * The value each compared prop has in a call, resolved, as JSON: a call whose objects another call
 * hardens (its scope encloses this one's) must not have given one that differs, or it is not used.
 */
export function effectiveProps(settings: HardeningSettings, notes: string): Record<string, string> {
  return {
    serviceAccountTokens: JSON.stringify([...settings.tokens.reasons].sort()),
    strictTokens: JSON.stringify(settings.tokens.strict),
    notes: JSON.stringify(notes),
  };
}
