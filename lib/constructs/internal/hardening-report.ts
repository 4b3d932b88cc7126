/**
 * Internal (not exported from the entry point): what `RootlessHardening.applyTo` gathers from a
 * construct tree beyond the objects it hardens — the ServiceAccounts, RoleBindings,
 * ClusterRoleBindings and token Secrets that the token rule reads (lib/hardening/token-rule.ts) —
 * and the one reporter of the notes that need a human, printed once per synthesis, grouped by rule
 * (lib/hardening/notes.ts).
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { HardeningNote, HardeningNotes } from '../../hardening/hardening-notes';
import { PlacedNote, groupNotes } from '../../hardening/notes';
import { DEFAULT_NAMESPACE, TokenFacts } from '../../hardening/token-rule';
import { isListKind } from '../../policy/k8s-shapes';

/** The metadata type of a note recorded on a construct (`node.addMetadata`), so tests and tools can read them. */
export const NOTE_METADATA_TYPE = 'rootless.cdk8s.io/note';

const FACT_KINDS = new Set(['ServiceAccount', 'RoleBinding', 'ClusterRoleBinding', 'Secret']);

/** The namespace of an object of this construct's chart that names none: the chart's, else `default`. */
export function chartNamespace(c: IConstruct): string {
  try {
    return Chart.of(c).namespace ?? DEFAULT_NAMESPACE;
  } catch {
    return DEFAULT_NAMESPACE;
  }
}

const FACTS = new WeakMap<IConstruct, TokenFacts>();

/**
 * The ServiceAccounts, bindings and token Secrets under `root`, gathered once per construct tree,
 * when its first object is adopted (before any is: rendering an adopted List would run its
 * verification). Objects that cannot be rendered are skipped: cdk8s reports them.
 */
export function tokenFactsOf(root: IConstruct): TokenFacts {
  const known = FACTS.get(root);
  if (known) return known;
  const facts = new TokenFacts();
  FACTS.set(root, facts);
  for (const c of root.node.findAll()) {
    if (!ApiObject.isApiObject(c) || !(FACT_KINDS.has(c.kind) || isListKind(c.kind))) continue;
    let json: unknown;
    try {
      json = c.toJson();
    } catch {
      continue;
    }
    facts.add(json, chartNamespace(c));
  }
  return facts;
}

/**
 * The notes of one construct tree, printed once per synthesis: recorded while the validations run
 * (applyTo's adoptions, the constructs' own validations), printed at the first flush after them (the
 * verifier of the first adopted or constructed object that cdk8s writes). A synthesis that fails in
 * validation prints its errors, not the notes.
 */
export class NoteReporter {
  /** The reporter of a construct tree. */
  public static of(root: IConstruct, write: (text: string) => void = t => process.stderr.write(t)): NoteReporter {
    let r = NoteReporter.TREES.get(root);
    if (!r) NoteReporter.TREES.set(root, r = new NoteReporter(write));
    return r;
  }

  private static readonly TREES = new WeakMap<IConstruct, NoteReporter>();

  private readonly pending: PlacedNote[] = [];
  /** Whether a construct of the library (not only applyTo) recorded any of the pending notes. */
  private fromConstructs = false;

  private constructor(private readonly write: (text: string) => void) {}

  /**
   * Records the notes of an object: as metadata of `construct` (always), and to print (PRINT).
   * @param option the prop that chooses the mode (`props.notes` for a construct)
   * @returns the errors (FAIL): one per note, naming the prop that silences it
   */
  public record(construct: IConstruct, place: string, notes: readonly HardeningNote[], mode: HardeningNotes,
    option = 'RootlessHardening.applyTo\'s notes'): string[] {
    for (const n of notes) construct.node.addMetadata(NOTE_METADATA_TYPE, { rule: n.rule, message: n.message });
    if (mode === HardeningNotes.PRINT) this.pending.push(...notes.map(n => ({ ...n, place })));
    if (mode === HardeningNotes.PRINT && notes.length > 0 && option === 'props.notes') this.fromConstructs = true;
    if (mode !== HardeningNotes.FAIL) return [];
    return notes.map(n => `[${n.rule}] ${n.message} (${option}: HardeningNotes.FAIL; HardeningNotes.PRINT prints it instead)`);
  }

  /** Prints the notes recorded since the last flush, grouped by rule. */
  public flush(): void {
    if (this.pending.length === 0) return;
    const lines = groupNotes(this.pending.splice(0));
    const by = this.fromConstructs ? 'cdk8s-rootless' : 'RootlessHardening.applyTo';
    this.fromConstructs = false;
    this.write(`${by}: notes that need a human:\n${lines.map(l => `  ${l}`).join('\n')}\n`);
  }
}
