/**
 * What `RootlessHardening.applyTo` does with the notes that need a human (a service-account token
 * kept, a given user that is not used or that an arbitrary-UID image takes): docs/migration.md, "Notes that need a human".
 */

/** What `RootlessHardening.applyTo` does with the notes that need a human. */
export enum HardeningNotes {
  /** Print them at synthesis on standard error, once per synthesis, grouped by rule with a count and the first construct paths. */
  PRINT = 'print',
  /** Print nothing (they are still recorded as construct metadata and in `report`). */
  NONE = 'none',
  /** Fail synthesis on them, naming each object. */
  FAIL = 'fail',
}

/** A note that needs a human, tagged by the rule that wrote it. */
export interface HardeningNote {
  /** The id of the rule that wrote it, e.g. `serviceAccountToken`. */
  readonly rule: string;
  /** What a human must decide, with the fix. */
  readonly message: string;
}
