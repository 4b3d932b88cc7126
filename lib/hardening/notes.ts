/**
 * Internal: notes that need a human (a token kept; a given user not used, or taken by an arbitrary-UID image), tagged by the
 * id of the rule that wrote them, and the one way they are grouped for printing: by rule, then by
 * message, each with a count and the first places. `RootlessHardening.applyTo` prints them once
 * per synthesis (lib/constructs/rootless-hardening.ts, `HardeningNotes`), `harden` at the end of its report.
 * A rule adds its notes with `addRuleNote` in the adopt stage (adopt/pod.ts, adopt/container.ts).
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports.
 */

/** A note that needs a human, tagged by its rule. */
export interface RuleNote {
  /** The id of the rule that wrote it (e.g. `serviceAccountToken`). */
  readonly rule: string;
  /** What a human must decide, with the fix. Pods with the same question get the same text. */
  readonly message: string;
}

/** A note and where it was found (a construct path, or `file doc N Kind ns/name`). */
export interface PlacedNote extends RuleNote {
  readonly place: string;
}

/** Something that collects tagged notes (the adopt stage's `PodReport`). */
export interface NoteTarget {
  ruleNotes?: RuleNote[];
}

/** Adds a tagged note (once: the same rule and message again is dropped). */
export function addRuleNote(target: NoteTarget, rule: string, message: string): void {
  const notes = target.ruleNotes ??= [];
  if (!notes.some(n => n.rule === rule && n.message === message)) notes.push({ rule, message });
}

/** How many places a group lists before `and N more`. */
export const FIRST_PLACES = 3;

/**
 * The notes as lines: one per rule and message, in the order first seen, with the count of places
 * and the first FIRST_PLACES of them.
 */
export function groupNotes(notes: readonly PlacedNote[]): string[] {
  const groups = new Map<string, { note: RuleNote; places: string[] }>();
  for (const n of notes) {
    const key = `${n.rule}\u0000${n.message}`;
    const g = groups.get(key) ?? { note: n, places: [] };
    if (!g.places.includes(n.place)) g.places.push(n.place);
    groups.set(key, g);
  }
  const byRule = new Map<string, { note: RuleNote; places: string[] }[]>();
  for (const g of groups.values()) byRule.set(g.note.rule, [...byRule.get(g.note.rule) ?? [], g]);
  const lines: string[] = [];
  for (const [rule, list] of byRule) {
    // objects, not notes: an object with two questions of one rule counts once
    const count = new Set(list.flatMap(g => g.places)).size;
    lines.push(`[${rule}] ${count} object${count === 1 ? '' : 's'}:`);
    for (const g of list) {
      const shown = g.places.slice(0, FIRST_PLACES).join(', ');
      const more = g.places.length > FIRST_PLACES ? ` and ${g.places.length - FIRST_PLACES} more` : '';
      lines.push(`  ${g.note.message} (${g.places.length}: ${shown}${more})`);
    }
  }
  return lines;
}
