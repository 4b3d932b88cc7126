/**
 * The cdk8s validation plugin: `cdk8s synth` checks every manifest of any cdk8s app against
 * the Pod Security Standards with this library's policy engine.
 *
 * In `cdk8s.yaml`:
 *
 *   validations:
 *     - package: ./node_modules/cdk8s-rootless/lib/plugin   # a local path: loads only the plugin
 *       version: 0.0.0                                       # any pinned version (cdk8s-cli requires one)
 *       class: RootlessValidation
 *       properties:
 *         level: restricted        # or baseline
 *         version: latest          # or v1.N, as the namespace's enforce-version label
 *
 * The manifests are read as kubectl reads them (`lib/manifests/`); YAML that a YAML 1.2 reader reads
 * otherwise at a field the rules read, or a `<<` merge key, fails as `ambiguous-yaml`.
 *
 * Loads the policy engine, the manifest parser and the pure exemption rules only: never
 * cdk8s, cdk8s-plus or constructs.
 */
import * as fs from 'fs';
import { DeclaredExemption, declaredExemptions } from '../exemptions/declared';
import { kindOf, kindsRelaxing } from '../exemptions/registry';
import { RootlessAnnotations } from '../hardening/annotations';
import { judge } from '../hardening/verify';
import { ManifestError, ManifestObject } from '../manifests/manifest-objects';
import { parseManifests } from '../manifests/manifest-parser';
import { AMBIGUITY_FIX, classifyDifferences } from '../manifests/yaml-differences';
import { PodSecurity } from '../policy/pod-security';
import { PolicyLevel, Violation } from '../policy/types';

/**
 * Properties of `RootlessValidation`: the `properties` of its entry in `cdk8s.yaml` `validations:`.
 */
export interface RootlessValidationProps {
  /**
   * The Pod Security Standards level every pod (template) must meet: `restricted` or `baseline`.
   * @default 'restricted'
   */
  readonly level?: string;

  /**
   * The policy version: `latest` or `v1.N` (as the namespace label `pod-security.kubernetes.io/enforce-version`).
   * @default 'latest'
   */
  readonly version?: string;

  /**
   * Accept a violation that an exemption declared in the pod template's
   * `rootless.cdk8s.io/exemptions` annotation covers (it is logged as accepted, not failed).
   * Exemptions whose reason is missing, too short or a placeholder (`TODO: ...`) never count
   * and fail the validation.
   * @default true
   */
  readonly honorExemptions?: boolean;

  /**
   * Also check the rootless rules that the constructs and `RootlessAdmissionPolicy` enforce beyond Pod
   * Security: `readOnlyRootFilesystem: true` on every init and regular container, and no
   * service-account token (`automountServiceAccountToken: false`, no projected token, nothing mounted
   * at the token path), each unless its exemption (`writableRootFilesystem`, `serviceAccountToken`)
   * is declared. Only with level `restricted`.
   * @default true (with level restricted)
   */
  readonly rootlessRules?: boolean;
}

/** What the plugin uses of cdk8s-cli's `ValidationContext` (structural: cdk8s-cli is not imported). */
interface Context {
  readonly manifests: readonly string[];
  readonly metadata?: { readonly [resourceName: string]: { readonly path: string } };
  readonly report: {
    addViolation(violation: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: { resourceName: string; locations: string[]; manifestPath: string }[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
  readonly logger?: { log(message: string): void };
}

/** One failing occurrence of a rule. */
interface Occurrence {
  readonly resourceName: string;
  readonly manifestPath: string;
  readonly location: string;
  readonly recommendation: string;
  readonly fix: string;
}

const EXEMPTION_RULE = 'rootless-exemption';
const MALFORMED_RULE = 'malformed';
const AMBIGUOUS_RULE = 'ambiguous-yaml';

/**
 * A cdk8s-cli validation plugin (`cdk8s.yaml` `validations:`) that evaluates every pod and pod
 * template of the synthesized manifests with the Pod Security Standards policy engine, at a
 * chosen level and policy version, and fails `cdk8s synth` on any violation that no declared
 * exemption covers. Works on any cdk8s app, not only on this library's constructs. Violations
 * name the construct path of the resource (cdk8s records it while validations are configured).
 */
export class RootlessValidation {
  private readonly level: PolicyLevel;
  private readonly version: string;
  private readonly honorExemptions: boolean;
  private readonly rootlessRules: boolean;

  public constructor(props: RootlessValidationProps = {}) {
    const level = props.level ?? PolicyLevel.RESTRICTED;
    if (level !== PolicyLevel.RESTRICTED && level !== PolicyLevel.BASELINE) {
      throw new Error(`RootlessValidation: properties.level ${JSON.stringify(level)} is not a level. Fix: use restricted or baseline.`);
    }
    this.level = level as PolicyLevel;
    this.version = props.version ?? 'latest';
    try {
      PodSecurity.evaluate({}, { level: this.level, version: this.version });
    } catch (e) {
      throw new Error(`RootlessValidation: properties.version: ${e instanceof Error ? e.message : e}. Fix: use latest or v1.N.`);
    }
    this.honorExemptions = props.honorExemptions ?? true;
    this.rootlessRules = this.level === PolicyLevel.RESTRICTED && (props.rootlessRules ?? true);
  }

  /**
   * Validates the synthesized manifests (called by `cdk8s synth`).
   * @param context the cdk8s-cli `ValidationContext`
   */
  public async validate(context: any): Promise<void> {
    const ctx = context as Context;
    const log = (message: string) => (ctx.logger ? ctx.logger.log(message) : undefined);
    const occurrences = new Map<string, Occurrence[]>();
    const add = (rule: string, o: Occurrence) => occurrences.set(rule, [...occurrences.get(rule) ?? [], o]);
    const accepted: string[] = [];
    let evaluated = 0;
    let version = this.version;

    for (const manifestPath of ctx.manifests) {
      const objects: ManifestObject[] = [];
      const errors: ManifestError[] = [];
      let text: string;
      try {
        text = fs.readFileSync(manifestPath, 'utf8');
      } catch (e) {
        add(MALFORMED_RULE, {
          resourceName: manifestPath,
          manifestPath,
          location: `cannot read: ${e instanceof Error ? e.message : e}`,
          recommendation: 'The manifest could not be read.',
          fix: 'Check the synthesis output.',
        });
        continue;
      }
      parseManifests({ name: manifestPath, uri: manifestPath, text }, { object: o => objects.push(o), error: e => errors.push(e) });
      for (const e of errors) {
        add(MALFORMED_RULE, {
          resourceName: manifestPath,
          manifestPath,
          location: `line ${e.line ?? '?'}: ${e.message}`,
          recommendation: 'The manifest could not be parsed.',
          fix: 'Check the synthesis output.',
        });
      }
      for (const o of objects) {
        const manifest = o.object;
        // cdk8s writes plain YAML: a merge key or a YAML-1.1-only scalar at a judged field reads otherwise in YAML 1.2
        for (const a of classifyDifferences(o.differences, manifest.kind).ambiguous) {
          const name = typeof (manifest.metadata as any)?.name === 'string' ? (manifest.metadata as any).name : `${manifest.kind} #${o.index}`;
          add(AMBIGUOUS_RULE, {
            resourceName: name,
            manifestPath,
            location: `line ${a.line}, ${a.path}: ${a.detail}`,
            recommendation: 'The manifest reads differently in YAML 1.1 (kubectl) and YAML 1.2 (other tools): it was judged as kubectl reads it, '
              + 'but cdk8s output has no reason to be ambiguous.',
            fix: `Find what writes this YAML into the manifest (an Include, a raw ApiObject) and ${AMBIGUITY_FIX}.`,
          });
        }
        const result = PodSecurity.evaluate(manifest, { level: this.level, version: this.version });
        version = result.version;
        if (!result.applicable) continue;
        evaluated++;
        const meta = manifest.metadata as any;
        const resourceName = typeof meta?.name === 'string' ? meta.name : `${manifest.kind} #${o.index}`;
        const what = `${manifest.kind} ${typeof meta?.namespace === 'string' ? `${meta.namespace}/` : ''}${resourceName}`;
        const constructPath = ctx.metadata?.[resourceName]?.path;
        const at = (location: string, recommendation: string, fix: string): Occurrence =>
          ({ resourceName, manifestPath, location, recommendation, fix });

        const declared = this.honorExemptions ? declaredExemptions(manifest) : { exemptions: [], problems: [], declared: false };
        for (const problem of declared.problems) {
          add(EXEMPTION_RULE, at(problem, 'Every exemption needs a real reason, written by a human, before it is accepted.',
            `Edit the ${RootlessAnnotations.EXEMPTIONS} annotation of the pod template.`));
        }
        if (result.malformed !== undefined) {
          add(MALFORMED_RULE, at(result.malformed, 'The pod spec is malformed: no level allows it.', 'Make the manifest well formed.'));
        }
        const options = { level: this.level, version: this.version, rootlessRules: this.rootlessRules };
        const plain = judge(manifest, [], options);
        if (plain.allowed) continue;
        const verdict = declared.exemptions.length === 0 ? plain : judge(manifest, declared.exemptions, options);
        const uncovered = verdict.uncovered.violations;
        const left = new Set(uncovered.map(v => v.check));
        for (const v of result.violations) {
          if (left.has(v.check)) continue;
          accepted.push(`  accepted: ${what}${constructPath ? ` (${constructPath})` : ''}: ${v.check}: ${v.detail}; `
            + `covered by ${describeCover(v, declared.exemptions)}`);
        }
        for (const v of uncovered) {
          add(v.check, at(v.detail, `${v.reason} (Pod Security Standards ${v.level}, policy ${result.version})`, fixOf(v)));
        }
        const leftRules = new Set(verdict.rootless.map(f => `${f.rule}|${f.detail}`));
        for (const f of plain.rootless) {
          const where = `${what}${constructPath ? ` (${constructPath})` : ''}`;
          if (leftRules.has(`${f.rule}|${f.detail}`)) {
            add(f.rule, at(f.detail, `rootless rule ${f.rule} (what cdk8s-rootless constructs and RootlessAdmissionPolicy enforce beyond Pod Security)`,
              `${f.fix}. Or declare ${kindsRelaxing(f.rule).map(k => k.id).join(' or ')} with a reason in the pod template's ${RootlessAnnotations.EXEMPTIONS} annotation.`));
          } else {
            accepted.push(`  accepted: ${where}: ${f.rule}: ${f.detail}; covered by ${declared.exemptions.filter(e => kindOf(e.kind).relaxes.includes(f.rule))
              .map(e => `${e.kind}: "${e.reason}"`).join(', ')}`);
          }
        }
      }
    }

    for (const [rule, list] of occurrences) {
      const byResource = new Map<string, { resourceName: string; manifestPath: string; locations: string[] }>();
      for (const o of list) {
        const key = `${o.manifestPath}\0${o.resourceName}`;
        const entry = byResource.get(key) ?? { resourceName: o.resourceName, manifestPath: o.manifestPath, locations: [] };
        entry.locations.push(o.location);
        byResource.set(key, entry);
      }
      ctx.report.addViolation({
        ruleName: rule,
        recommendation: [...new Set(list.map(o => o.recommendation))].join(' '),
        fix: [...new Set(list.map(o => o.fix))].join(' '),
        violatingResources: [...byResource.values()],
      });
    }
    if (accepted.length > 0) {
      log(`cdk8s-rootless: ${accepted.length} violation(s) accepted through declared exemptions:\n${accepted.join('\n')}`);
    }
    ctx.report.submit(occurrences.size === 0 ? 'success' : 'failure', {
      'level': this.level,
      'policy version': version,
      'pods evaluated': String(evaluated),
      'accepted through exemptions': String(accepted.length),
    });
  }
}

function fixOf(v: Violation): string {
  const covers = kindsRelaxing(v.check).map(k => k.id);
  return covers.length > 0
    ? `${v.fix} If the workload really needs it, declare the exemption (${covers.join(' or ')}) with a reason in the pod template's `
      + `${RootlessAnnotations.EXEMPTIONS} annotation (the constructs of cdk8s-rootless write it from their exemptions).`
    : v.fix;
}

function describeCover(v: Violation, exemptions: readonly DeclaredExemption[]): string {
  const matching = exemptions.filter(e => kindOf(e.kind).relaxes.includes(v.check));
  return (matching.length > 0 ? matching : exemptions)
    .map(e => `${e.kind}${e.container ? ` (container "${e.container}")` : ''}: "${e.reason}"`).join(', ');
}
