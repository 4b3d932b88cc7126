/**
 * Internal: the one way a construct of this library reports bad props — one header
 * (`<Construct> <path>: invalid props:`) and one collector of problems, each naming the prop path,
 * the value, what is wrong and the fix. Used by every construct (hardened workloads,
 * RestrictedNamespace, RootlessAdmissionPolicy) so that errors read the same everywhere.
 */
import type { IConstruct } from 'constructs';

/** Collects the problems of a construct's props, then throws them together. */
export class PropsProblems {
  private readonly lines: string[] = [];

  /** Adds `<prop>: <value> <problem>. Fix: <fix>` (the value as JSON; omitted when undefined). */
  public add(prop: string, value: unknown, problem: string, fix: string): this {
    const shown = value === undefined ? '' : `${JSON.stringify(value) ?? String(value)} `;
    this.lines.push(`${prop}: ${shown}${problem}. Fix: ${fix}`);
    return this;
  }

  /** Adds problems already worded as `<prop>: <problem>. Fix: <fix>`. */
  public addAll(problems: readonly string[]): this {
    this.lines.push(...problems);
    return this;
  }

  /** The problems so far. */
  public get problems(): readonly string[] {
    return this.lines;
  }

  /** Throws the problems, if any (see `throwPropsProblems`). */
  public throwIfAny(construct: IConstruct): void {
    throwPropsProblems(construct, this.lines);
  }
}

/** Throws `<Construct> <path>: invalid props:` followed by the problems, one per line; does nothing without problems. */
export function throwPropsProblems(construct: IConstruct, problems: readonly string[]): void {
  if (problems.length === 0) return;
  throw new Error(`${construct.constructor.name} ${construct.node.path}: invalid props:\n  ${problems.join('\n  ')}`);
}
