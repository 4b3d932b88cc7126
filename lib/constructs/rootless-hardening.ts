/**
 * `RootlessHardening.applyTo(scope, props)`: hardens an existing cdk8s app in code — every
 * pod-bearing object under a scope (cdk8s-plus workloads, raw `ApiObject`s, objects of `Include`d
 * YAML), including objects added after the call. The rules are `cdk8s-rootless harden`'s (the
 * adopt stage, lib/hardening/adopt/; docs/architecture.md "Adopting an existing pod"): add what is
 * missing, never weaken, never guess a user.
 *
 * Through cdk8s' public surface only: objects are found in a validation of the construct tree's root
 * (cdk8s has no Aspects; it validates the root before any other construct, and serializes after
 * validating), and again in one of the scope, which reports; each object is rendered with
 * `ApiObject.toJson()`, and the additions are JSON patches (`addJsonPatch`), each `add` guarded by a
 * `test` that the member is still missing. An object is adopted once (validations run more than
 * once per synthesis), so the call is idempotent. The one verifier (output-verifier.ts, the constructs'
 * own) verifies the object on the result of each serialization by cdk8s, and fails on pod-bearing
 * objects that were added too late to be adopted.
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { COMPARED_PROPS, effectiveProps, holdsPods, mapsItsProps, patchedInto, render, toPatch } from './internal/adopted-objects';
import { writeAnnotation } from '../exemptions/codec';
import { CODE_EXEMPTION_WORDS } from '../hardening/adopt/hints';
import { AdoptTarget, Adoption, adopt, adoptTargets, guardFailure, isAppliedAsList, isListKind, isPodBearing, itemsNotAdopted, targetIn, verifyAdoptedAgain } from '../hardening/adopt/object';
import { HardenDialect } from '../hardening/adopt/pod';
import { HardeningSettings, hardeningSettings } from '../hardening/adopt/settings';
import { LEVEL_PLACEHOLDER, RootlessAnnotations } from '../hardening/annotations';
import { HardeningNote, HardeningNotes } from '../hardening/hardening-notes';
import { NOTE_METADATA_TYPE, NoteReporter, chartNamespace, tokenFactsOf } from './internal/hardening-report';
import { isHardenedByConstruct, IdentityIndex } from './internal/identity-index';
import { droppedVolumesHint } from './internal/line-hints';
import { OutputVerifier, throwErrors } from './internal/output-verifier';
import { ObjectHardeningOptions } from './rootless-hardening-options';
import { POD_BEARING_KINDS, containersOf, podTemplateOf, podTemplatePath } from '../policy/k8s-shapes';

export * from './rootless-hardening-options';

/** Props of `RootlessHardening.applyTo`: the same choices as `cdk8s-rootless harden`. */
export interface RootlessHardeningProps {
  /**
   * The default numeric UID: for containers whose user is still unknown after their own
   * `runAsUser`, `objects[path].containers` / `objects[path].user`, `imageUsers` / `nonRootImages`
   * and the image presets (`ImagePreset.forImage`). `runAsNonRoot: true` alone does not make a user
   * known (cdk8s-plus sets it on every container; the kubelet refuses it with an image whose USER is
   * root or a name). A set `runAsUser` is never replaced. Without it, a container whose user is not
   * known fails synthesis, naming the object, the container, the image and these fixes.
   * @default - none: no user is guessed
   */
  readonly user?: number;

  /**
   * The numeric GID that goes with `user`.
   * @default - the user
   */
  readonly group?: number;

  /**
   * Paths that get an emptyDir in every container whose root filesystem is made read-only.
   * @default - only /tmp (and an image preset's paths)
   */
  readonly writablePaths?: string[];

  /**
   * Settings of single objects, keyed by construct path: the path of the `ApiObject`, of the
   * cdk8s-plus construct that owns it, or either relative to the scope (e.g. `web` for the
   * Deployment `web` of the chart the call is made on). A key that names no pod-bearing object
   * under the scope fails synthesis.
   * @default - none
   */
  readonly objects?: { [path: string]: ObjectHardeningOptions };

  /**
   * Numeric UIDs of images, by image pattern: `{ 'ghcr.io/acme/*': 10001 }`. `*` matches any text;
   * a pattern without a tag or digest matches every tag and digest of the repositories it matches;
   * a pattern is read with its registry as the runtime reads a reference, so one that names no
   * registry is about Docker Hub only (`docker.io/*` is its official images, not every registry).
   * It is a statement about the image, so it wins over an image preset; of several matching
   * patterns the most specific (most characters besides `*`) decides.
   * @default - none
   */
  readonly imageUsers?: { [pattern: string]: number };

  /**
   * Image patterns (as in `imageUsers`) whose numeric, non-root USER you vouch for: their containers
   * keep `runAsNonRoot: true` without a `runAsUser` (the kubelet checks the USER at start-up). For a
   * preset image whose own USER is root or a name (e.g. `node`), the vouch does not hold and the
   * preset's UID is written, with a note.
   * @default - none
   */
  readonly nonRootImages?: string[];

  /**
   * Why the pods of a ServiceAccount need its API token, keyed `NAMESPACE/NAME` (a namespaced object
   * without a namespace is in its chart's, else in `default`). A pod of that account keeps its token
   * and gets the serviceAccountToken exemption with this reason. Without a reason, a pod of the
   * namespace's `default` account that no RoleBinding or ClusterRoleBinding of the app names gets
   * `automountServiceAccountToken: false`; any other token is kept and reported once per account.
   * @default - none
   */
  readonly serviceAccountTokens?: { [account: string]: string };

  /**
   * Fail synthesis on a token that is kept without a reason in `serviceAccountTokens`.
   * @default false
   */
  readonly strictTokens?: boolean;

  /**
   * What to do with the notes that need a human (a token kept, a given user not used or taken by an arbitrary-UID image):
   * printed at synthesis on standard error (once, grouped by rule), not printed, or failing
   * synthesis. They are recorded as construct metadata and in `report` whatever the choice.
   * @default HardeningNotes.PRINT
   */
  readonly notes?: HardeningNotes;
}

/** What `RootlessHardening.applyTo` did to one object. */
export interface HardenedObjectReport {
  /** The construct path of the `ApiObject` (for an item of a List, the List's path and `/items[i]`). */
  readonly path: string;
  /** Its kind. */
  readonly kind: string;
  /** The level it is at after the hardening (`restricted` unless exemptions say otherwise). */
  readonly level: string;
  /** What was added, one phrase each (e.g. the low-port sysctl). */
  readonly changes: string[];
  /** What the hardening assumed or cannot know (e.g. paths the application may write). */
  readonly notes: string[];
  /** The notes among them that need a human, tagged by rule (printed at synthesis unless `notes` says otherwise). */
  readonly ruleNotes: HardeningNote[];
}

/** Classes that override `toJson` and were seen to write cdk8s' JSON patches and metadata (checked once per class). */
const SERIALIZES = new WeakSet<Function>();

/** The applyTo calls of each construct tree, by its root. */
const CALLS = new WeakMap<IConstruct, RootlessHardening[]>();

/** The objects some `applyTo` has adopted, and by which call. */
const ADOPTED = new WeakMap<ApiObject, RootlessHardening>();
const KINDS = new Set(POD_BEARING_KINDS.map(k => k.kind));

/**
 * Hardens the pod-bearing objects of an existing cdk8s app: `RootlessHardening.applyTo(chart)`.
 *
 * @example
 * RootlessHardening.applyTo(chart, { user: 10001, objects: { agent: { exemptions: [Exemption.hostPath('reads the node logs', { paths: ['/var/log'] })] } } });
 */
export class RootlessHardening {
  /** The metadata type under which each note that needs a human is recorded on its object (`node.addMetadata`; data `{ rule, message }`). */
  public static readonly NOTE_METADATA_TYPE: string = NOTE_METADATA_TYPE;

  /**
   * Hardens every pod-bearing object under `scope` at synthesis — cdk8s-plus workloads, raw
   * `ApiObject`s and objects of `Include`d YAML (the items of a `List` too), also those added after
   * this call (one that a validation adds too late to be hardened fails synthesis) — with the rules
   * of `cdk8s-rootless harden`: what is missing is added (RuntimeDefault seccomp, no privilege
   * escalation, capabilities dropped, runAsNonRoot where the user is known, a read-only root
   * filesystem with an emptyDir at /tmp, no service-account token, the low-port sysctl where a
   * container listens below 1024), nothing is weakened, no user is guessed. Every adopted object is
   * annotated and verified like the constructs' own; what needs a human (an unknown user, privileged,
   * hostPath, host namespaces, …) fails synthesis naming the object, the field and the fix, unless
   * `objects[path].exemptions` declares it with a reason. Objects of this library's constructs are
   * left as they are. Idempotent: a second call, or cdk8s validating more than once, changes nothing more.
   *
   * @param scope the app, chart or construct whose objects to harden
   * @param props the default user, writable paths and per-object settings
   */
  public static applyTo(scope: IConstruct, props: RootlessHardeningProps = {}): RootlessHardening {
    return new RootlessHardening(scope, props);
  }

  /** Adopts for every applyTo call of a construct tree, in construct order of their scopes; reports nothing (the scopes do). */
  private static adoptTree(root: IConstruct): string[] {
    let calls = [...CALLS.get(root) ?? []];
    if (calls.length > 1) {
      const order = new Map(root.node.findAll().map((c, i) => [c, i]));
      calls = calls.sort((a, b) => (order.get(a.scope) ?? 0) - (order.get(b.scope) ?? 0));
    }
    // the notes are printed once, when the first adopted object is written (its verifier), after every validation
    // has run: a later validation may still adopt an object it adds, and cdk8s may validate the app more than once
    for (const call of calls) call.adoptAll();
    return [];
  }

  /** The scope the hardening applies to. */
  public readonly scope: IConstruct;

  private readonly settings: HardeningSettings;
  private readonly notes: HardeningNotes;
  /** The compared props this call was given, and the value each compared prop has in it (adopted-objects.ts). */
  private readonly given: readonly string[];
  private readonly effective: Record<string, string>;
  /** The ServiceAccounts the adopted pods run as (a key of `serviceAccountTokens` must name one). */
  private readonly accounts = new Set<string>();
  private readonly reports: HardenedObjectReport[] = [];
  private readonly errors = new Map<ApiObject, string[]>();
  /** The objects whose validation reported their errors (an object added while cdk8s validates is not validated). */
  private readonly reported = new WeakSet<ApiObject>();
  /** The charts that have an adopted object whose verifier runs `sweep`. */
  private readonly sweepers = new Set<Chart>();
  /** How many constructs were under the scope when `sweep` last found no object that applyTo missed. */
  private swept = -1;

  private constructor(scope: IConstruct, props: RootlessHardeningProps) {
    this.scope = scope;
    // read once, here: what the caller changes after the call changes nothing (and is not left unvalidated)
    this.settings = hardeningSettings(props ?? {}, `RootlessHardening.applyTo(${this.where()})`);
    // adopted first from a validation of the root (cdk8s validates it before any other construct), so that every other
    // construct's validation (a RestrictedNamespace judging the workloads in it) sees the hardened objects; in construct
    // order of the scopes, parents first, as the scopes' own validations would run. The scope's validation reports.
    const root = scope.node.root;
    const calls = CALLS.get(root);
    if (calls) {
      calls.push(this);
    } else {
      CALLS.set(root, [this]);
      root.node.addValidation({ validate: () => RootlessHardening.adoptTree(root) });
    }
    if (props?.notes !== undefined && !Object.values(HardeningNotes).includes(props.notes)) {
      throw new Error(`RootlessHardening.applyTo(${this.where()}): invalid props:\n  props.notes: ${JSON.stringify(props.notes)} is not a HardeningNotes. `
        + 'Fix: give HardeningNotes.PRINT, HardeningNotes.NONE or HardeningNotes.FAIL.');
    }
    this.notes = props?.notes ?? HardeningNotes.PRINT;
    this.given = COMPARED_PROPS.filter(p => (props as Record<string, unknown> | undefined)?.[p] !== undefined);
    this.effective = effectiveProps(this.settings, this.notes);
    scope.node.addValidation({ validate: () => this.adoptAll() });
    IdentityIndex.register(scope); // one identity per object across the app (identity-index.ts)
  }

  /**
   * What the hardening did, one entry per adopted object, in construct order. Filled when cdk8s
   * validates the app (`app.synth()`, `Testing.synth()`); empty before.
   */
  public get report(): HardenedObjectReport[] {
    return this.reports.map(r => ({ ...r, changes: [...r.changes], notes: [...r.notes], ruleNotes: r.ruleNotes.map(n => ({ ...n })) }));
  }

  /**
   * Finds the objects (again: new ones may have been added) and adopts those no one has adopted yet:
   * pod-bearing objects, and Lists (an `Include` of `kubectl get -o yaml` output) whose items are.
   */
  private adoptAll(): string[] {
    const objects = this.scope.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c)
      // any kind can be a list for kubectl (it applies the items of every object with items): look into each
      && (isPodBearing(c.apiVersion, c.kind) || ADOPTED.has(c) || holdsPods(c)));
    const problems: string[] = [];
    if (objects.length === 0) {
      problems.push(`RootlessHardening.applyTo: there is no pod-bearing object (${[...KINDS].join(', ')}) under ${this.where()}. `
        + 'Fix: call it on the app or the chart that holds the workloads, or remove the call.');
    }
    const matched = new Set<string>();
    const overruled = new Set<RootlessHardening>();
    for (const obj of objects) {
      const keys = this.keysOf(obj);
      const key = keys[0];
      keys.forEach(k => matched.add(k));
      if (keys.length > 1) {
        problems.push(`RootlessHardening.applyTo: ${keys.map(k => `objects['${k}']`).join(' and ')} name the same object (${obj.node.path}). Fix: keep one of them.`);
      }
      if (key !== undefined && isHardenedByConstruct(obj)) {
        problems.push(`RootlessHardening.applyTo: objects['${key}'] names ${obj.node.path}, which a construct of this library hardens itself (applyTo leaves it alone). `
          + 'Fix: give the user, writable paths and exemptions in that construct\'s props, and remove the key.');
      }
      const owner = ADOPTED.get(obj);
      if (isHardenedByConstruct(obj) || owner === this) continue;
      if (owner !== undefined) {
        if (key !== undefined) {
          problems.push(`RootlessHardening.applyTo: objects['${key}'] names ${obj.node.path}, which RootlessHardening.applyTo on ${owner.where()} already hardens. `
            + 'Fix: give its settings in that call.');
        }
        const differ = this.given.filter(p => this.effective[p] !== owner.effective[p]);
        if (differ.length > 0 && !overruled.has(owner)) {
          overruled.add(owner);
          problems.push(`RootlessHardening.applyTo: ${differ.join(', ')} of this call differ from those of RootlessHardening.applyTo on ${owner.where()}, which hardens `
            + `${obj.node.path} (one call hardens an object): they are not used for it. Fix: give them in that call, or call applyTo on scopes that do not overlap.`);
        }
        continue;
      }
      ADOPTED.set(obj, this);
      IdentityIndex.keyAsConstructed(obj); // its rendering verifies it: the identity index keys it without rendering
      this.adoptOne(obj, key);
    }
    for (const account of this.settings.tokens.reasons.keys()) {
      if (this.accounts.has(account)) continue;
      problems.push(`RootlessHardening.applyTo: serviceAccountTokens['${account}'] names no ServiceAccount that a pod under ${this.where()} runs as `
        + `(${[...this.accounts].sort().join(', ') || 'none'}). Fix: write the NAMESPACE/NAME of the pods' ServiceAccount (a chart's namespace, else default), or remove it.`);
    }
    for (const key of this.settings.objects.keys()) {
      if (!matched.has(key)) {
        problems.push(`RootlessHardening.applyTo: objects['${key}'] names no pod-bearing object under ${this.where()} `
          + `(pod-bearing objects: ${objects.map(o => this.relative(o)).join(', ') || 'none'}). Fix: use the construct path of the workload, or remove the key.`);
      }
    }
    return problems;
  }

  /**
   * Adopts one object (or each pod-bearing item of a List): patches, the verifier, and its
   * errors (reported by a validation of the object itself).
   */
  private adoptOne(obj: ApiObject, key: string | undefined): void {
    const settings = key !== undefined ? this.settings.objects.get(key)!
      : { writablePaths: this.settings.writablePaths, exemptions: [], containers: new Map(), given: undefined };
    const name = key ?? this.relative(obj);
    const dialect: HardenDialect = {
      userFix: `give RootlessHardening.applyTo a user (props.user, or objects['${name}'].user for this object)`,
      userFixes: container => `give RootlessHardening.applyTo the user: objects['${name}'].containers['${container}'].user (this container), `
        + `objects['${name}'].user (this object), imageUsers: { 'PATTERN': UID } (every image the pattern matches), nonRootImages: ['PATTERN'] `
        + '(if the image\'s USER is numeric and not 0), or props.user (every container whose user is still unknown)',
      customImageFix: container => `customImage: true in objects['${name}'].containers['${container}'] (or objects['${name}'].customImage)`,
      userOption: 'the applyTo user',
      writablePathFix: `writablePaths, or objects['${name}'].writablePaths / containerWritablePaths, in RootlessHardening.applyTo's props`,
      token: {
        reasonFix: account => `give RootlessHardening.applyTo serviceAccountTokens: { '${account}': 'why its pods call the Kubernetes API' }`,
        strictOption: 'strictTokens',
      },
      exemption: CODE_EXEMPTION_WORDS,
    };
    let rendered: any;
    try {
      rendered = render(obj);
    } catch (e) {
      this.fail(obj, [`RootlessHardening.applyTo cannot render it: ${e instanceof Error ? e.message : e}`]);
      return;
    }
    const list = isListKind(obj.kind) || isAppliedAsList(rendered);
    // a List's items have no metadata of their own in cdk8s: every annotation of theirs is a JSON patch
    const targets = adoptTargets(rendered, list, obj.node.path);
    const exemptionsHint = ` Exemptions for this object go in RootlessHardening.applyTo's objects['${name}'].exemptions (Exemption factories, with a reason).`;
    const names = new Set(targets.flatMap(t => containersOf(podTemplateOf(t.manifest)?.spec).map(c => c.name)));
    const unknown = settings.writablePaths.flatMap(w => (w.container !== undefined && !names.has(w.container) ? [w.container] : []));
    for (const container of new Set(unknown)) {
      this.fail(obj, [`RootlessHardening.applyTo: objects['${name}'].containerWritablePaths names container "${container}", which the object does not have `
        + `(containers: ${[...names].join(', ') || 'none'}). Fix: use the name of one of its containers, or remove the entry.`]);
    }
    const adopted: { target: AdoptTarget; adoption: Adoption }[] = [];
    for (const target of targets) {
      const adoption = adopt(target.manifest, {
        writablePaths: settings.writablePaths,
        exemptions: settings.exemptions,
        user: this.settings.user,
        group: this.settings.group,
        users: { object: settings.given, containers: settings.containers, images: this.settings.images },
        dialect,
        listItem: list,
      }, { facts: tokenFactsOf(this.scope.node.root), settings: this.settings.tokens }, chartNamespace(obj));
      obj.addJsonPatch(...adoption.operations.map(o => toPatch(o, target.pointer, mapsItsProps(obj))));
      for (const [k, v] of Object.entries(adoption.ownAnnotations)) obj.metadata.addAnnotation(k, v);
      this.fail(obj, adoption.errors.map(e => target.label + (/only with exemption|declare exemption|declare Exemption|covers nothing/.test(e) ? e + exemptionsHint : e)));
      const { changes, notes } = adoption.report;
      const ruleNotes = (adoption.report.ruleNotes ?? []).map(n => ({ rule: n.rule, message: n.message }));
      for (const a of adoption.report.tokenAccounts ?? []) this.accounts.add(a);
      this.fail(obj, NoteReporter.of(this.scope.node.root).record(obj, target.path, ruleNotes, this.notes).map(e => target.label + e));
      const all = [...notes, ...ruleNotes.map(n => n.message)];
      this.reports.push({ path: target.path, kind: target.manifest.kind, level: adoption.level, changes, notes: all, ruleNotes });
      adopted.push({ target, adoption });
    }

    // a class of its own that renders the object without cdk8s' serialization would write it without the patches, and unverified
    // (probed once per class, before the verifier overrides the object's toJson)
    if (mapsItsProps(obj) && !SERIALIZES.has(obj.constructor)) {
      let probe: any;
      try {
        probe = render(obj);
      } catch {
        probe = undefined; // the verifier reports why
      }
      const patched = adopted.every(({ target, adoption }) =>
        podTemplateOf(targetIn(probe, target))?.metadata?.annotations?.[RootlessAnnotations.EXEMPTIONS] === writeAnnotation(adoption.exemptions));
      if (probe !== undefined && !patched) {
        this.fail(obj, [`RootlessHardening.applyTo cannot harden it: its class (${obj.constructor.name}) overrides toJson() and writes neither cdk8s' JSON patches `
          + 'nor its metadata annotations, so the hardening would not be written, nor verified. Fix: render through ApiObject\'s own toJson() '
          + '(call super.toJson() and map its result), or give the object its security context yourself.']);
      } else if (probe !== undefined && adopted.some(a => a.adoption.operations.length > 0)) {
        SERIALIZES.add(obj.constructor);
      }
    }

    // verified by the one verifier each time cdk8s serializes the object: what a later patch or Lazy value changed is caught
    const ownLevel = !list && podTemplatePath(obj.kind)?.length === 0;
    // a Pod is its own template: the verifier writes its level into its metadata; a workload's (or a List item's) is a JSON patch
    if (ownLevel) obj.metadata.addAnnotation(RootlessAnnotations.PSS_LEVEL, LEVEL_PLACEHOLDER);
    // one object per chart looks for objects added too late (each looking would take time quadratic in the objects)
    const chart = Chart.of(obj);
    const sweeper = !this.sweepers.has(chart);
    this.sweepers.add(chart);
    OutputVerifier.attach(obj, {
      serializationFailed: e => {
        const set = guardFailure(e);
        // a List's items are hardened by patches at their indexes: an item added, removed or moved since does not take them
        if (set === undefined && list && adopted.some(a => a.target.pointer !== '')) {
          return [`RootlessHardening.applyTo's patches of its items could not be applied (${e instanceof Error ? e.message : e}): an item was added, removed `
            + 'or moved after applyTo hardened the List (a Lazy value, a JSON patch or its props changed during synthesis). Fix: give the List all its items '
            + 'when the app is constructed, not during synthesis.'];
        }
        return set === undefined ? undefined : [`${set}: a value was set there after RootlessHardening.applyTo hardened the object, where applyTo adds one `
          + '(a JSON patch, a Lazy value or a construct changed it during synthesis). Fix: set it when the app is constructed, before synthesis '
          + '(applyTo keeps what is set, and reports what needs an exemption), or leave it to applyTo.'];
      },
      verify: manifest => {
        // the notes are printed once, when the first adopted object is written, after every validation has run
        NoteReporter.of(this.scope.node.root).flush();
        const errors: string[] = [];
        let level: string | undefined;
        for (const { target, adoption } of adopted) {
          const v = verifyAdoptedAgain(targetIn(manifest, target), adoption, !ownLevel);
          errors.push(...v.errors.map(e => target.label + e));
          level = v.level;
        }
        // kubectl applies every item of a List: one that no adoption hardened (added or moved after applyTo adopted it) is not written
        errors.push(...itemsNotAdopted(manifest, adopted.map(a => a.target)).map(label => `${label}this pod-bearing item was added to the object (or moved) `
          + 'after RootlessHardening.applyTo hardened it (a Lazy value, a JSON patch or its props changed during synthesis), and nothing hardened it. '
          + 'Fix: give the object all its items when the app is constructed, not during synthesis.'));
        // errors that a validation reported have failed the synthesis already; others (an object that cdk8s' validation
        // did not reach, because it was added while cdk8s validated) are reported here
        const reported = this.reported.has(obj);
        const recorded = reported ? [] : this.errors.get(obj) ?? [];
        if (reported && (this.errors.get(obj) ?? []).length > 0) return { errors: [], level };
        return { errors: [...recorded, ...errors.filter(e => !recorded.includes(e))], level };
      },
      verified: () => { if (sweeper) this.sweep(); },
    });
  }

  /**
   * While cdk8s serializes: the pod-bearing objects under the scope that no applyTo adopted (and no
   * construct of this library hardens) were added while cdk8s validated, after this call's validation
   * ran (`Testing.synth` validates once; `app.synth()` again per chart). They were not hardened: fail.
   */
  private sweep(): void {
    const all = this.scope.node.findAll();
    // nothing was added since the last sweep found nothing
    if (all.length === this.swept) return;
    for (const c of all) {
      if (!ApiObject.isApiObject(c) || ADOPTED.has(c) || isHardenedByConstruct(c)) continue;
      if (isPodBearing(c.apiVersion, c.kind)) {
        throwErrors(c.node.path, [`RootlessHardening.applyTo on ${this.where()} did not harden this ${c.kind}: it was added while cdk8s validated the app, `
          + 'after applyTo\'s validation ran (e.g. by another construct\'s validation), and nothing verified it. '
          + 'Fix: create it when the app is constructed, not during synthesis.']);
      }
      const renders = patchedInto(c);
      if (renders) {
        throwErrors(c.node.path, [`RootlessHardening.applyTo on ${this.where()} did not harden this object: it was constructed as ${c.apiVersion} ${c.kind}, `
          + `but a JSON patch makes it a pod-bearing ${renders}, which applyTo does not look for. Fix: construct it with the apiVersion and kind it is written with.`]);
      }
    }
    this.swept = all.length;
  }

  /** Records an object's errors; a validation of the object reports them (cdk8s names its path). */
  private fail(obj: ApiObject, errors: readonly string[]): void {
    if (errors.length === 0) return;
    const first = !this.errors.has(obj);
    this.errors.set(obj, [...this.errors.get(obj) ?? [], ...errors, ...droppedVolumesHint(obj, errors)]);
    if (first) {
      obj.node.addValidation({
        validate: () => {
          this.reported.add(obj);
          return this.errors.get(obj) ?? [];
        },
      });
    }
  }

  /** Every key of `props.objects` that names this object. */
  private keysOf(obj: ApiObject): string[] {
    if (this.settings.objects.size === 0) return [];
    const names = [obj.node.path];
    const parent = obj.node.scope;
    if (obj.node.id === 'Resource' && parent) names.push(parent.node.path);
    const base = this.scope.node.path;
    return [...this.settings.objects.keys()].filter(key => names.some(n => n === key || (base !== '' && n === `${base}/${key}`)));
  }

  private relative(obj: ApiObject): string {
    const path = obj.node.id === 'Resource' && obj.node.scope ? obj.node.scope.node.path : obj.node.path;
    const base = this.scope.node.path;
    return base !== '' && path.startsWith(`${base}/`) ? path.slice(base.length + 1) : path;
  }

  private where(): string {
    return this.scope.node.path === '' ? 'the app' : this.scope.node.path;
  }

}
