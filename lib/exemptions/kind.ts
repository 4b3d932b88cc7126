/**
 * Internal: what an exemption kind is — the facets every module in `kinds/` declares, read
 * through the one registry (registry.ts). See docs/architecture.md, "The exemption model".
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports (the CLI and the plugin load this). The
 * construct side (`applyContainer`, `applyPod`) works on the cdk8s-plus pod spec before
 * serialization, whose field names are cdk8s's (`hostPid`); the verification side (`revert*`)
 * works on the final manifest, whose field names are the API's (`hostPID`). A kind states the fields
 * it relaxes once, as `effects` with API names; effects.ts derives both sides from them (`structName`
 * spells the cdk8s name), and the code facets here add only what the data cannot say.
 */
import type { ExemptionKind } from './exemption-kind';

/** The fields of one declared exemption that the facets read (a validated, immutable value). */
export interface ExemptionValue {
  readonly kind: ExemptionKind;
  /** The container it is scoped to; undefined for the whole pod. */
  readonly container?: string;
  readonly reason: string;
  /** `addCapabilities` only: the capability names, without `CAP_`. */
  readonly capabilities?: readonly string[];
  /** `seccompLocalhost` only: the profile path. */
  readonly profile?: string;
  /** `hostPath` only: the host paths it covers (clean, absolute), each with what is below it. */
  readonly paths?: readonly string[];
  /** `hostPath` only: whether it covers writable mounts too (else only read-only ones). */
  readonly writable?: boolean;
}

/** The exemption fields beyond id, container and reason, by kind. */
export type ExtraField = 'capabilities' | 'profile' | 'paths';

/** A JSON object (a securityContext, a pod spec) that a facet reads or changes. */
export type JsonObject = { [key: string]: any };

/**
 * What a kind permits in the admission policy's CEL: the conditions (keyed by the field each
 * constrains, see lib/policy/checks/cel.ts) of the checks and rootless rules it relaxes, within its
 * scope. A test ties the checks owning these conditions to `relaxes`.
 */
export interface CelRelaxation {
  /** Condition keys (fields) relaxed within the scope. */
  readonly fields?: readonly string[];
  /** Volumes with this source are allowed (pod-wide). */
  readonly volumeSource?: string;
  /** The listed capabilities are allowed in `capabilities.add`. */
  readonly capabilities?: boolean;
  /**
   * With `volumeSource`: a CEL condition on the volume `v` that must hold too (e.g. that it is one of
   * the paths the entries name); it may read the kind's `variables`.
   */
  readonly volumeCondition?: string;
  /**
   * CEL variables the kind adds to the policy, after the annotation's (`exemptionEntries`,
   * `exemptionsValid`, `exempt`), in order.
   */
  readonly variables?: readonly { readonly name: string; readonly expression: string }[];
  /**
   * CEL variables read from the entries of a canonical annotation before it is validated (they may read
   * `variables.exemptions`, `variables.exemptionsCanonical` and `variables.exemptionEntries`), in order.
   */
  readonly entryVariables?: readonly { readonly name: string; readonly expression: string }[];
  /**
   * A CEL condition a canonical annotation must also meet to be honoured: what the codec's grammar
   * cannot say (RE2 has no look-ahead, a grammar cannot count across entries) and its reader refuses
   * (e.g. a forbidden host path, too many paths). It may read the `entryVariables`.
   */
  readonly valid?: string;
}

/** What `harden` reads to decide whether a kind is needed: the pod spec, and the container when scoped to one. */
export interface DetectInput {
  /** The pod spec (API field names). */
  readonly spec: JsonObject;
  /** The container (its name, securityContext and effective user), or undefined for the pod itself. */
  readonly container?: { readonly name: string; readonly securityContext: JsonObject; readonly user?: number };
}

/** A detected need: the words of its placeholder reason (after `explain why`), and addCapabilities' names. */
export interface Detected {
  readonly what: string;
  readonly capabilities?: string[];
  /** hostPath: the host paths the pod mounts, and whether any is mounted writable. */
  readonly paths?: string[];
  readonly writable?: boolean;
}

/** A scalar field value. */
export type FieldValue = boolean | string | number;

/** One field an exemption kind relaxes. */
export interface FieldEffect {
  /** `pod`: a field of the pod spec; `container`: a field of a container's securityContext. */
  readonly level: 'pod' | 'container';
  /** The field's Kubernetes API name, e.g. `hostPID`, `allowPrivilegeEscalation`. */
  readonly field: string;
  /** The value the hardening writes, and that a revert restores. */
  readonly hardened: FieldValue;
  /** The value the exemption permits, and that the constructs write when it is declared. */
  readonly relaxed: FieldValue;
  /**
   * What the API does when the field is unset: `relaxed` (e.g. `allowPrivilegeEscalation`, which
   * defaults to true: a revert writes the hardened value where it is missing) or `hardened` (e.g.
   * `hostPID`: a revert changes only a value that is set and not hardened).
   */
  readonly unset: 'hardened' | 'relaxed';
  /**
   * When the field holds its relaxed value, the kind is needed (`harden`): the words of the placeholder
   * reason after "the pod" or "container NAME", e.g. `runs privileged`. Undefined: this field does not
   * show the need (the kind detects in code, or another effect shows it).
   */
  readonly needed?: string;
}

/** One exemption kind: everything the library knows about it, in one module. */
export interface ExemptionKindSpec {
  /** The id written to the annotation (the `ExemptionKind` value). */
  readonly id: ExemptionKind;
  /** Whether it exists only for the whole pod (no container scope). */
  readonly podOnly: boolean;
  /**
   * The fields it relaxes, as data (effects.ts derives apply, revert, detect, the CEL condition keys and
   * the words from them); the facets below add what the data cannot say.
   */
  readonly effects?: readonly FieldEffect[];
  /** Kinds with the same word exclude each other within one scope (e.g. `seccomp`: one profile per container). */
  readonly exclusive?: string;
  /** The extra entry field it carries, if any (`addCapabilities`: capabilities; `seccompLocalhost`: profile). */
  readonly field?: ExtraField;
  /**
   * Exactly what it relaxes: the ids of the Pod Security checks (lib/policy/checks) and of the
   * rootless rules (rootless-rules.ts) whose violations it can cover, for its scope only. Empty
   * when it relaxes no rule the admission policy checks (the constructs still require it for the
   * setting it applies).
   */
  readonly relaxes: readonly string[];
  /** The fields it relaxes, in words (documentation and messages), e.g. `securityContext.runAsUser: 0`. */
  readonly fields: string;
  /** What it relaxes in the admission policy's CEL (lib/admission/exemptions-cel.ts reads it). */
  readonly cel: CelRelaxation;
  /** How to declare it in code (for fix hints), e.g. `Exemption.runAsRoot(reason, { container })`. */
  readonly hint: string;
  /**
   * `harden`: whether the pod (`container` undefined) or the container needs this kind, on a manifest
   * as harden found it (API field names), with the words of the placeholder reason it declares
   * (`TODO: explain why …`; never `"` or `\`, so the canonical annotation needs no escape).
   */
  detect?(input: DetectInput): Detected | undefined;
  /** The constructs: applies the exemption to a container's securityContext (cdk8s field names). */
  applyContainer?(sc: JsonObject, e: ExemptionValue): void;
  /** The constructs: applies a pod-wide exemption to the pod spec (cdk8s field names). */
  applyPod?(spec: JsonObject, e: ExemptionValue): void;
  /**
   * Verification: undoes, on a container of the final manifest, exactly what the exemption
   * permits there (API field names). `sc` is the container's securityContext, created empty when
   * the container has none; `container` and `spec` are its container and pod spec (read-only). Changes nothing when there is nothing to undo: `harden` detects that
   * a kind is needed when its revert changes the hardened manifest (declared.ts).
   */
  revertContainer?(sc: JsonObject, e: ExemptionValue, container: JsonObject, spec: JsonObject): void;
  /** Verification: undoes a pod-wide exemption on the pod spec (API field names). */
  revertPod?(spec: JsonObject, e: ExemptionValue): void;
  /**
   * Verification: why what the exemptions of this kind (all those declared) could cover in this pod spec
   * (API field names) is not covered by any of them (e.g. a hostPath volume outside their paths), one
   * sentence with the fix each; empty when nothing is left.
   */
  uncovered?(spec: JsonObject, exemptions: readonly ExemptionValue[]): string[];
  /**
   * The problems of the kind's extra field (`field`) in an entry, e.g. a path that is not clean, each with the entry's key it
   * is about (`field`, or another key of the kind such as hostPath's `writable`); empty when none.
   */
  fieldProblems?(entry: { readonly [key: string]: unknown }): { readonly key: string; readonly problem: string }[];
  /** The problems of the kind's entries of one annotation taken together (e.g. too many paths in all); empty when none. */
  annotationProblems?(entries: readonly ExemptionValue[]): string[];
}
