/**
 * What a CLI command reads and writes, injected so tests run commands in-process.
 */
export interface CliIo {
  /** Read when an input is `-`. */
  readonly stdin: NodeJS.ReadableStream;
  /** Reports. */
  readonly stdout: { write(chunk: string): unknown };
  /** Usage errors, diagnostics and (on a terminal) progress. */
  readonly stderr: { readonly isTTY?: boolean; write(chunk: string): unknown };
  /**
   * Relative paths are resolved against it; SARIF URIs are relative to it.
   * @default process.cwd()
   */
  readonly cwd?: string;
}

/**
 * The real process's streams. `stdin` is `process.stdin` on first use: Node builds that stream (and
 * loads its net, tty or fs stream modules) when it is first read, and only `-` reads it.
 */
export function processIo(): CliIo {
  return { get stdin() { return process.stdin; }, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
}

/** Exit codes of `audit` (and the program's usage errors outside `harden`, which has `HardenExitCode`). */
export enum ExitCode {
  /** Nothing denied. */
  OK = 0,
  /** Something denied (the findings are the report). */
  DENIED = 1,
  /** Invalid usage, or an input could not be read or parsed (wins over DENIED). */
  ERROR = 2,
}

/**
 * Exit codes of `harden` (docs/cli.md): every rule reports through them. The higher code wins over several inputs.
 */
export enum HardenExitCode {
  /** Written, and every object passes restricted with nothing for a human to confirm. */
  OK = 0,
  /** Written, with findings a human must confirm (the `!` lines, and what the written fields would break: `~`). */
  FINDINGS = 1,
  /** Refused: a document harden will not edit (duplicate keys, an edit that does not verify) is left exactly as it was. */
  REFUSED = 2,
  /** Invalid usage, or an input that could not be read or parsed. */
  ERROR = 3,
}

/** A usage error found by a command after commander parsed its options: message and exit 2. */
export class UsageError extends Error {}
