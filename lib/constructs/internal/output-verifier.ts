/**
 * Internal: the one verifier of what cdk8s writes, for the constructs' objects (lib/constructs/plus/internal/hardening.ts)
 * and the objects `RootlessHardening.applyTo` adopts (lib/constructs/rootless-hardening.ts). docs/architecture.md,
 * "Data flow of a synthesis", steps 5 and 6.
 *
 * cdk8s serializes an object by calling the public `toJson()` of its `ApiObject` instance (`App.synth()`,
 * `App.synthYaml()`, `Chart.toJson()`, `Testing.synth()`; cdk8s-cli runs the app's `app.synth()`). It
 * resolves `Lazy` values before it applies the JSON patches, so only what `toJson()` returns is the
 * object as written. `OutputVerifier.attach(obj, check)` overrides `toJson()` on that one instance, as
 * cdk8s' generated classes override it on theirs: the override calls the `toJson()` the object had (its
 * class's, so cdk8s' own serialization with patches and resolvers, or a subclass' mapping of it), hands
 * that result to the check (the verify stage, lib/hardening/verify.ts), throws its errors in cdk8s'
 * validation format naming the construct path (in every serialization: the verifier cannot tell cdk8s'
 * from a direct `toJson()`, nor know whether cdk8s ran the construct's validation, which it does not for
 * a construct created while it validates), and returns what it verified: a snapshot of the result as JSON data (each
 * member read once, anything else an error: an accessor or a Proxy could answer the verifier and the YAML writer
 * differently; a toJSON on a prototype of JSON data, which cdk8s' YAML writer calls, is an error), with the verified level written
 * wherever the level annotation holds `LEVEL_PLACEHOLDER` along the path to the pod template (a copy along
 * that path; cdk8s' own result is not changed, and cdk8s placed the key, so its order holds).
 * So each object is rendered once per serialization, and what is written is what was verified: a later
 * JSON patch, validation or `Lazy` value included. Nothing of cdk8s' private state is read and none of
 * its serialization is copied. The override cannot be replaced (a property that is not configurable,
 * whose setter throws): a `toJson` installed after it would write the object unverified, and a check
 * in a validation would miss one installed by a later validation or a `Lazy` value.
 */
import { ApiObject } from 'cdk8s';
import { IdentityIndex } from './identity-index';
import { LEVEL_PLACEHOLDER, RootlessAnnotations } from '../../hardening/annotations';
import { setMember } from '../../policy/json-equal';
import { podTemplatePath } from '../../policy/k8s-shapes';

/** What a check found in one serialized object. */
export interface OutputVerification {
  /** Synthesis errors (each names the check and the fix; the verifier adds the construct path). */
  readonly errors: readonly string[];
  /** The level to write where the pod template's level annotation holds the placeholder. */
  readonly level?: string;
}

/** How one object's serialized output is verified. */
export interface OutputCheck {
  /** The construct path errors name (a construct's own path, for the object it owns). @default - the object's path */
  readonly path?: string;
  /** Verifies the object as cdk8s serialized it (the placeholder still in the level annotation). */
  verify(manifest: any): OutputVerification;
  /** The errors to report when the serialization itself threw (undefined: the error is thrown as it is). */
  serializationFailed?(error: unknown): readonly string[] | undefined;
  /** Runs after a verification that found nothing. */
  verified?(): void;
}

/** The toJson each verified object had before the verifier's override, by object. */
const ORIGINAL = new WeakMap<ApiObject, () => any>();

/** Throws errors in cdk8s' own validation format, naming the construct path. */
export function throwErrors(path: string, errors: readonly string[]): never {
  throw new Error(`Validation failed with the following errors:\n  [${path}] ${errors.join(`\n  [${path}] `)}`);
}

/**
 * The one verifier of serialized objects (see the module header).
 */
export class OutputVerifier {
  /**
   * Verifies every serialization of `obj` with `check`. Once per object: the constructs' objects and
   * those applyTo adopts are distinct (applyTo leaves the constructs' objects alone).
   */
  public static attach(obj: ApiObject, check: OutputCheck): void {
    if (ORIGINAL.has(obj)) throw new Error(`internal error: ${obj.node.path} is verified twice`);
    const own = Object.getOwnPropertyDescriptor(obj, 'toJson');
    if (own !== undefined && !own.configurable) {
      throwErrors(obj.node.path, ['its toJson() was defined as not configurable, so cdk8s-rootless cannot verify what it writes. '
        + 'Fix: do not define toJson() on the object; map the output in a subclass that calls super.toJson(), or add a JSON patch.']);
    }
    const original = obj.toJson;
    // every serialization is verified, whoever asks for it and whenever (cdk8s' synthesis, Chart.toJson(), a direct
    // toJson(), a construct created while cdk8s validated, whose own validation cdk8s never ran): what is returned is what was verified
    const override = (): any => {
      let manifest: any;
      try {
        // a snapshot: what is verified is what is returned, read once (an accessor or a Proxy in a class's toJson output
        // could answer the verifier with one value and the YAML writer with another)
        manifest = original.call(obj);
        manifest = jsonData(manifest, obj.node.path);
      } catch (e) {
        if (e instanceof NotJsonData) throwErrors(check.path ?? obj.node.path, [e.message]);
        const errors = check.serializationFailed?.(e);
        if (errors === undefined || errors.length === 0) throw e;
        throwErrors(check.path ?? obj.node.path, errors);
      }
      const verification = check.verify(manifest);
      // a JSON patch may have given the object another identity than the one the index keyed it by
      const errors = [...verification.errors, ...IdentityIndex.renamed(obj, manifest)];
      if (errors.length > 0) throwErrors(check.path ?? obj.node.path, errors);
      check.verified?.();
      return verification.level === undefined ? manifest : withLevel(manifest, verification.level);
    };
    ORIGINAL.set(obj, original);
    // the override cannot be replaced, removed or redefined: a toJson installed after it (at any time, a later validation
    // or a Lazy value included) would write the object unverified
    Object.defineProperty(obj, 'toJson', {
      configurable: false,
      enumerable: false,
      get: () => override,
      set: () => {
        throw new Error(`toJson() of ${obj.node.path} cannot be replaced: cdk8s-rootless verifies what it returns, and a replacement would `
          + 'write the object unverified. Fix: map the output in a subclass that calls super.toJson(), or add a JSON patch (both are verified).');
      },
    });
  }

  /** The toJson of the object's class (or its own, before the verifier's), for a verified object; else its toJson. */
  public static unverifiedToJson(obj: ApiObject): () => any {
    return ORIGINAL.get(obj) ?? obj.toJson;
  }

  /**
   * A copy of a serialized object made of JSON data only, each member read once: what is verified is what is written (an
   * accessor or a Proxy in a class's toJson output could answer the verifier with one value and the YAML writer with
   * another). Throws an error naming `path` and where the value is for anything that is not JSON data.
   */
  public static jsonData(value: unknown, path: string): unknown {
    return jsonData(value, path);
  }

  private constructor() {}
}

/**
 * The manifest with `level` wherever an object along the path to its pod template (the object itself, a CronJob's
 * jobTemplate, the template) has the placeholder in its level annotation: cdk8s places it in the template, and a JSON
 * patch may copy the template's annotations onto the others. Copied along that path where something is replaced.
 */
function withLevel(manifest: any, level: string): any {
  const path = podTemplatePath(manifest?.kind);
  return path === undefined ? manifest : withLevelAlong(manifest, path, level);
}

function withLevelAlong(node: any, rest: readonly string[], level: string): any {
  if (!isMap(node)) return node;
  let out = node;
  const annotations = node.metadata?.annotations;
  if (isMap(node.metadata) && isMap(annotations) && annotations[RootlessAnnotations.PSS_LEVEL] === LEVEL_PLACEHOLDER) {
    out = { ...node, metadata: { ...node.metadata, annotations: { ...annotations, [RootlessAnnotations.PSS_LEVEL]: level } } };
  }
  if (rest.length === 0) return out;
  const child = withLevelAlong(node[rest[0]], rest.slice(1), level);
  return child === node[rest[0]] ? out : { ...out, [rest[0]]: child };
}

function isMap(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A value in a serialized object that is not JSON data. */
class NotJsonData extends Error {}

/** Unwinds the copy from a value that is not JSON data: what it is and where (segments, innermost last). */
class Refused {
  public readonly at: (string | number)[] = [];
  public constructor(public readonly what: string) {}
}

/**
 * A copy of a serialized object made of JSON data only (plain objects of any realm, arrays, strings, numbers, booleans,
 * null; undefined members kept, as cdk8s' YAML writer keeps them), each member read once; anything else (a function, a
 * class instance, a Date, a Map, a symbol, a bigint) is an error naming where it is. cdk8s' own serialization gives only such
 * data (its `sanitizeValue` refuses other objects); a class's `toJson` may return anything.
 */
function jsonData(value: unknown, path: string): unknown {
  // cdk8s' YAML writer (the yaml package) calls a value's toJSON, an inherited one too, and writes what it returns: one on a
  // prototype of JSON data would write other data than the verified copy (checked when each object is serialized)
  for (const [name, proto] of WRITER_PROTOTYPES) {
    if ('toJSON' in proto) {
      throw new NotJsonData(`${name}.prototype.toJSON is defined (code in the app added it): cdk8s' YAML writer calls it for every such value, so what `
        + `it writes for ${path} would not be what was verified. Fix: remove ${name}.prototype.toJSON (the code or library that defines it) before synthesis.`);
    }
  }
  try {
    return copyJsonData(value);
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    const at = e.at.length === 0 ? 'the top' : `/${e.at.join('/')}`;
    throw new NotJsonData(`toJson() returned ${e.what} at ${at}, which is not JSON data, so what cdk8s writes for it cannot be `
      + `verified. Fix: return plain JSON data from toJson() (objects, arrays, strings, numbers, booleans, null) for ${path}.`);
  }
}

/** The prototypes of JSON data (Object's first: the others inherit from it). */
const WRITER_PROTOTYPES: readonly (readonly [string, object])[] = [
  ['Object', Object.prototype], ['Array', Array.prototype], ['String', String.prototype], ['Number', Number.prototype], ['Boolean', Boolean.prototype],
];

/**
 * `jsonData`'s copy, run once per serialization of every verified object: where a refused value is, is spelled only when
 * there is one (each level adds its key to `Refused.at` as the error unwinds), and members are assigned, not defined, unless
 * `Object.prototype` has one of that name (`__proto__`, or an accessor someone added there), so a member stays a member.
 */
function copyJsonData(value: unknown): unknown {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value !== 'object') throw new Refused(`a ${typeof value}`);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      try {
        out.push(copyJsonData(value[i]));
      } catch (e) {
        if (e instanceof Refused) e.at.unshift(i);
        throw e;
      }
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && Object.getPrototypeOf(proto) !== null) throw new Refused(`an object of class ${(value as any).constructor?.name ?? '?'}`);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    let v: unknown;
    try {
      v = copyJsonData((value as any)[k]);
    } catch (e) {
      if (e instanceof Refused) e.at.unshift(k);
      throw e;
    }
    // an own member even where Object.prototype has one of that name (json-equal.ts)
    setMember(out, k, v);
  }
  return out;
}
