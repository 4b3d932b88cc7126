/**
 * Internal: the one verifier of what cdk8s writes, for the constructs' objects (lib/constructs/internal/hardening.ts)
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
 * validation format naming the construct path once synthesis is under way, and returns the same result
 * with the verified level written where the level annotation holds `LEVEL_PLACEHOLDER` (a copy along the
 * path to that annotation; cdk8s' own result is not changed, and cdk8s placed the key, so its order holds).
 * So each object is rendered once per serialization, and what is written is what was verified: a later
 * JSON patch, validation or `Lazy` value included. Nothing of cdk8s' private state is read and none of
 * its serialization is copied. A `toJson` replaced again after this (which would write the object
 * unverified) fails synthesis.
 */
import { ApiObject } from 'cdk8s';
import { IdentityIndex } from './identity-index';
import { LEVEL_PLACEHOLDER, RootlessAnnotations } from '../../hardening/annotations';
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
  /** Whether errors fail (synthesis is under way); otherwise (a direct `toJson()`) only the level is written. */
  enforce(): boolean;
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
    const original = obj.toJson;
    const override = (): any => {
      let manifest: any;
      try {
        manifest = original.call(obj);
      } catch (e) {
        const errors = check.enforce() ? check.serializationFailed?.(e) : undefined;
        if (errors === undefined || errors.length === 0) throw e;
        throwErrors(check.path ?? obj.node.path, errors);
      }
      const verification = check.verify(manifest);
      if (check.enforce()) {
        // a JSON patch may have given the object another identity than the one the index keyed it by
        const errors = [...verification.errors, ...IdentityIndex.renamed(obj, manifest)];
        if (errors.length > 0) throwErrors(check.path ?? obj.node.path, errors);
        check.verified?.();
      }
      return verification.level === undefined ? manifest : withLevel(manifest, verification.level);
    };
    ORIGINAL.set(obj, original);
    obj.toJson = override;
    obj.node.addValidation({
      validate: () => (obj.toJson === override ? [] : ['its toJson() was replaced after cdk8s-rootless began to verify it, so it would be written '
        + 'unverified. Fix: do not replace toJson() on the object; map the output in a subclass that calls super.toJson(), or add a JSON patch.']),
    });
  }

  /** The toJson of the object's class (or its own, before the verifier's), for a verified object; else its toJson. */
  public static unverifiedToJson(obj: ApiObject): () => any {
    return ORIGINAL.get(obj) ?? obj.toJson;
  }

  private constructor() {}
}

/** The manifest with `level` where its pod template's level annotation holds the placeholder (copied along that path). */
function withLevel(manifest: any, level: string): any {
  const path = podTemplatePath(manifest?.kind);
  if (path === undefined) return manifest;
  const copy = (x: any): any => (typeof x === 'object' && x !== null && !Array.isArray(x) ? { ...x } : undefined);
  const root = copy(manifest);
  let at = root;
  for (const key of [...path, 'metadata', 'annotations']) {
    const next = copy(at?.[key]);
    if (next === undefined) return manifest;
    at[key] = next;
    at = next;
  }
  if (at[RootlessAnnotations.PSS_LEVEL] !== LEVEL_PLACEHOLDER) return manifest;
  at[RootlessAnnotations.PSS_LEVEL] = level;
  return root;
}
