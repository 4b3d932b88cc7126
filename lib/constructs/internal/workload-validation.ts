/**
 * Internal: what the Kubernetes API server checks in the Job, CronJob and DaemonSet fields that
 * cdk8s and cdk8s-plus-27 pass through unchecked, so that `RootlessJob`, `RootlessCronJob` and
 * `RootlessDaemonSet` fail at construction (with the construct path, the prop and the fix) instead
 * of at `kubectl apply`.
 *
 * - `scheduleProblem` is the API server's `validateScheduleFormat` on create: robfig/cron v3's
 *   standard parser (`cron.ParseStandard`: 5 fields or a descriptor), and no `TZ` anywhere in the
 *   schedule (`TZ=`/`CRON_TZ=` prefixes are refused; the `timeZone` field replaces them).
 * - `timeZoneProblem` is its `validateTimeZone`: non-empty, each `/`-separated part matching
 *   `^[A-Za-z.\-_0-9+]{1,14}$`, not `.`/`..`, not starting with `-`, not `Local`, and a zone the
 *   time zone database has (Go's `time.LoadLocation`; here the IANA database of Node's ICU).
 *
 * Pure: no cdk8s imports. Not exported from the package. See docs/architecture.md.
 */

/** Go's `unicode.IsSpace`, which `strings.Fields` splits on. */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/u;
const MAX_INT64 = 2n ** 63n - 1n;

interface Bounds {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: ReadonlyMap<string, number>;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The five fields of the standard parser, in order. */
const FIELDS: readonly Bounds[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: new Map(MONTHS.map((m, i) => [m, i + 1])) },
  { name: 'day of week', min: 0, max: 6, names: new Map(DAYS.map((d, i) => [d, i])) },
];

/** The descriptors robfig/cron accepts (case-sensitive, the whole schedule), besides `@every <duration>`. */
const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Thrown inside the parser: the message robfig/cron would give. */
class ParseError extends Error {}

/**
 * Why the API server would reject this CronJob schedule (as robfig/cron's standard parser words
 * it), or undefined when it accepts it.
 */
export function scheduleProblem(schedule: string): string | undefined {
  if (schedule.length === 0) return 'the schedule is empty';
  // Kubernetes refuses any "TZ" in a new object's schedule (TZ=... and CRON_TZ=... prefixes): timeZone replaces them
  if (schedule.includes('TZ')) return 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';
  try {
    parseStandard(schedule);
    return undefined;
  } catch (e) {
    if (e instanceof ParseError) return e.message;
    throw e;
  }
}

/** A fix for the schedule's problem, in terms of cdk8s' `Cron`. */
export function scheduleFix(schedule: string): string {
  if (schedule.includes('TZ')) {
    return 'remove the TZ=/CRON_TZ= prefix from the schedule and set props.timeZone instead (e.g. timeZone: \'Europe/Berlin\').';
  }
  if (/^@\w+ /.test(schedule) && !schedule.startsWith('@every ')) {
    return 'cdk8s\' Cron always writes five fields, so a descriptor such as @daily cannot be combined with them: use Cron.daily() '
      + '(0 0 * * *), Cron.hourly(), Cron.weekly(), Cron.monthly() or Cron.annually() instead.';
  }
  return 'write five fields, minute (0-59), hour (0-23), day of month (1-31), month (1-12 or JAN-DEC) and day of week '
    + '(0-6 or SUN-SAT; 7 is not Sunday here), each "*", "?", a value, a range "a-b", a step "*/n" or "a-b/n", or a comma-separated list '
    + 'of those; e.g. Cron.schedule({ minute: \'30\', hour: \'2\' }) for 02:30 every day, or Cron.daily().';
}

/** robfig/cron v3 `ParseStandard` (Minute | Hour | Dom | Month | Dow | Descriptor); throws ParseError. */
function parseStandard(spec: string): void {
  if (spec.startsWith('@')) {
    parseDescriptor(spec);
    return;
  }
  const fields = spec.split(GO_SPACE).filter(f => f !== '');
  if (fields.length !== FIELDS.length) {
    throw new ParseError(`expected exactly ${FIELDS.length} fields, found ${fields.length}: [${fields.join(' ')}]`);
  }
  fields.forEach((f, i) => getField(f, FIELDS[i]));
}

function parseDescriptor(spec: string): void {
  if (DESCRIPTORS.includes(spec)) return;
  const every = '@every ';
  if (spec.startsWith(every)) {
    if (!isGoDuration(spec.slice(every.length))) throw new ParseError(`failed to parse duration ${spec}: time: invalid duration "${spec.slice(every.length)}"`);
    return;
  }
  throw new ParseError(`unrecognized descriptor: ${spec}`);
}

/** A field: a comma-separated list of ranges (empty elements are dropped, as `strings.FieldsFunc` does). */
function getField(field: string, bounds: Bounds): void {
  for (const expr of field.split(',').filter(r => r !== '')) getRange(expr, bounds);
}

/** number | number "-" number [ "/" number ], or "*" / "?" [ "/" number ]. */
function getRange(expr: string, r: Bounds): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: bigint;
  let end: bigint;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = BigInt(r.min);
    end = BigInt(r.max);
  } else {
    start = parseIntOrName(lowAndHigh[0], r);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], r);
    else throw new ParseError(`too many hyphens: ${expr}`);
  }
  let step = 1n;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]);
    if (singleDigit) end = BigInt(r.max); // "N/step" means "N-max/step"
  } else if (rangeAndStep.length > 2) {
    throw new ParseError(`too many slashes: ${expr}`);
  }
  if (start < r.min) throw new ParseError(`beginning of range (${start}) below minimum (${r.min}): ${expr} (${r.name})`);
  if (end > r.max) throw new ParseError(`end of range (${end}) above maximum (${r.max}): ${expr} (${r.name})`);
  if (start > end) throw new ParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr} (${r.name})`);
  if (step === 0n) throw new ParseError(`step of range should be a positive number: ${expr} (${r.name})`);
}

function parseIntOrName(expr: string, r: Bounds): bigint {
  const named = r.names?.get(expr.toLowerCase());
  return named !== undefined ? BigInt(named) : mustParseInt(expr);
}

/** Go's `strconv.Atoi` (optional sign, decimal digits, int64 range), then no negative numbers. */
function mustParseInt(expr: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new ParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const num = BigInt(expr);
  if (num > MAX_INT64 || num < -MAX_INT64 - 1n) {
    throw new ParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`);
  }
  if (num < 0n) throw new ParseError(`negative number (${num}) not allowed: ${expr}`);
  return num;
}

/** Nanoseconds per unit of Go's `time.ParseDuration`. */
const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n], ['us', 1_000n], ['\u00B5s', 1_000n], ['\u03BCs', 1_000n], ['ms', 1_000_000n],
  ['s', 1_000_000_000n], ['m', 60_000_000_000n], ['h', 3_600_000_000_000n],
]);

/** Go's `time.ParseDuration` grammar, `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or `0`, within int64 nanoseconds. */
function isGoDuration(text: string): boolean {
  let s = text;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return true;
  if (s === '') return false;
  let total = 0n;
  const limit = neg ? MAX_INT64 + 1n : MAX_INT64;
  while (s !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const [whole, int, frac] = [m[0], m[1], m[2]];
    if (int === '' && (frac === undefined || frac === '')) return false;
    s = s.slice(whole.length);
    const unitText = /^[^.0-9]*/.exec(s)![0];
    const unit = UNITS.get(unitText);
    if (unit === undefined) return false;
    s = s.slice(unitText.length);
    // the exact nanoseconds of this component (Go truncates the fraction's share)
    const scale = 10n ** BigInt((frac ?? '').length);
    total += BigInt(int || '0') * unit + (BigInt(frac || '0') * unit) / scale;
    if (total > limit) return false;
  }
  return true;
}

/** `^[A-Za-z.\-_0-9+]{1,14}$`: the characters and length of one part of a time zone name. */
const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

let canonicalZones: ReadonlySet<string> | undefined;
let canonicalByLowerCase: ReadonlyMap<string, string> | undefined;

/**
 * Why the API server would reject this CronJob `timeZone`, or undefined when it accepts it.
 *
 * The existence check uses the IANA database of Node's ICU (`Intl`), which knows the zones and
 * their links (`US/Eastern`); the API server loads the same names from Go's copy of the database,
 * case-sensitively. ICU compares case-insensitively, so a canonical zone written in another case
 * (`europe/berlin`) is refused here with the right spelling; a link written in another case is not
 * detected.
 */
export function timeZoneProblem(timeZone: string): string | undefined {
  if (timeZone.length === 0) return 'timeZone must be nil or non-empty string';
  for (const part of timeZone.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TIME_ZONE_PART.test(part)) return `unknown time zone ${timeZone}`;
  }
  if (timeZone.toLowerCase() === 'local') return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return `unknown time zone ${timeZone}`;
  }
  canonicalZones ??= new Set(supportedZones());
  canonicalByLowerCase ??= new Map([...canonicalZones].map(z => [z.toLowerCase(), z]));
  const spelled = canonicalByLowerCase.get(timeZone.toLowerCase());
  if (spelled !== undefined && spelled !== timeZone) return `unknown time zone ${timeZone} (time zone names are case-sensitive: ${spelled})`;
  return undefined;
}

function supportedZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return [...intl.supportedValuesOf?.('timeZone') ?? [], 'UTC'];
}

/** A non-negative integer (what the API server's `ValidateNonnegativeField` wants in an int32 field), or a problem. */
export function nonNegativeIntegerProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2147483647
    ? undefined : `${JSON.stringify(value) ?? String(value)} is not a non-negative integer`;
}

/** The whole seconds of a cdk8s `Duration`, or the problem (not a Duration, not whole seconds, negative). */
export function durationSeconds(value: unknown): { seconds?: number; problem?: string } {
  const toSeconds = (value as { toSeconds?: unknown } | null)?.toSeconds;
  if (typeof toSeconds !== 'function') return { problem: 'is not a cdk8s Duration' };
  let seconds: number;
  try {
    seconds = toSeconds.call(value);
  } catch (e) {
    return { problem: `is not a whole number of seconds (${e instanceof Error ? e.message : e})` };
  }
  if (!Number.isInteger(seconds) || seconds < 0) return { problem: `is ${seconds} seconds, not a non-negative whole number` };
  return { seconds };
}

/**
 * A workload whose controller keeps its pods running (Deployment, StatefulSet, DaemonSet): the API
 * server accepts only `restartPolicy: Always` in its pod template.
 * @param fix what to use for a task that runs to completion
 */
export function alwaysRestartProblems(restartPolicy: string | undefined, kind: string, fix: string): string[] {
  if (restartPolicy === undefined || restartPolicy === 'Always') return [];
  return [`props.restartPolicy: ${JSON.stringify(restartPolicy)} is not allowed for the pods of a ${kind} (the API server accepts only `
    + `Always: the ${kind} keeps its pods running). Fix: leave it unset. ${fix}`];
}

/** The Job fields shared by `RootlessJob` and `RootlessCronJob` (cdk8s-plus `JobProps` and the pod's restart policy). */
export interface JobFields {
  readonly restartPolicy?: string;
  readonly backoffLimit?: number;
  readonly activeDeadline?: unknown;
  readonly ttlAfterFinished?: unknown;
}

/**
 * The problems of a Job's props, as the API server would see them: a Job's pods must not restart
 * in place (`restartPolicy` Never or OnFailure), `backoffLimit`, `activeDeadlineSeconds` and
 * `ttlSecondsAfterFinished` are non-negative whole seconds. `activeDeadline` 0, which the API server
 * accepts, is refused too: such a Job fails (DeadlineExceeded) as soon as it starts.
 */
export function jobProblems(props: JobFields): string[] {
  const problems: string[] = [];
  if (props.restartPolicy !== undefined && props.restartPolicy !== 'Never' && props.restartPolicy !== 'OnFailure') {
    problems.push(`props.restartPolicy: ${JSON.stringify(props.restartPolicy)} is not allowed for the pods of a Job (the API server accepts only `
      + 'Never or OnFailure: a Job counts pods that finish). Fix: leave it unset (RestartPolicy.NEVER) or use RestartPolicy.ON_FAILURE.');
  }
  const backoff = nonNegativeIntegerProblem(props.backoffLimit);
  if (backoff) problems.push(`props.backoffLimit: ${backoff}. Fix: use the number of retries, e.g. 3 (the API server's default is 6).`);
  if (props.activeDeadline !== undefined) {
    const { seconds, problem } = durationSeconds(props.activeDeadline);
    if (problem || seconds === 0) {
      problems.push(`props.activeDeadline: ${problem ?? 'is 0 seconds: the Job would fail as soon as it starts'}. `
        + 'Fix: use a positive whole number of seconds, e.g. Duration.hours(1).');
    }
  }
  if (props.ttlAfterFinished !== undefined) {
    const { problem } = durationSeconds(props.ttlAfterFinished);
    if (problem) problems.push(`props.ttlAfterFinished: ${problem}. Fix: use a whole number of seconds, e.g. Duration.days(1).`);
  }
  return problems;
}
