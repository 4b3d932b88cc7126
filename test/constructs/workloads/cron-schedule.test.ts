/**
 * The CronJob schedule and time zone validation (lib/constructs/internal/workload-validation.ts) against what the API
 * server accepts: robfig/cron v3's standard parser (cron.ParseStandard) and Kubernetes'
 * validateScheduleFormat / validateTimeZone. The expected answers are the parser's, case by case.
 */
import * as fc from 'fast-check';
import { scheduleProblem, timeZoneProblem } from '../../../lib/constructs/internal/workload-validation';

describe('schedules the API server accepts', () => {
  test.each([
    '* * * * *', '0 0 * * *', '30 2 * * *', '*/15 * * * *', '0 9-17 * * MON-FRI', '0 0 1 JAN,jul *', '0 0 * * sun',
    '5,10,15 * * * *', '0-59/5 0-23/2 1-31/3 1-12/4 0-6/2', '5/10 * * * *', '? ? ? ? ?', '0 0 29 2 *', '00 07 * * 1',
    '+5 * * * *', '0\t0  *   * *', ' 0 0 * * * ', '1,,2 * * * *', '*-5 * * * *',
    '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly', '@every 1h30m', '@every 90s', '@every 0', '@every 1.5h',
  ])('%j', (schedule) => {
    expect(scheduleProblem(schedule)).toBeUndefined();
  });
});

describe('schedules the API server refuses, with robfig/cron\'s reason', () => {
  test.each([
    ['', 'the schedule is empty'],
    ['0 0 * *', 'expected exactly 5 fields, found 4: [0 0 * *]'],
    ['0 0 0 * * *', 'expected exactly 5 fields, found 6: [0 0 0 * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60 (minute)'],
    ['0 24 * * *', 'end of range (24) above maximum (23): 24 (hour)'],
    ['0 0 0 * *', 'beginning of range (0) below minimum (1): 0 (day of month)'],
    ['0 0 32 * *', 'end of range (32) above maximum (31): 32 (day of month)'],
    ['0 0 * 13 *', 'end of range (13) above maximum (12): 13 (month)'],
    ['0 0 * * 7', 'end of range (7) above maximum (6): 7 (day of week)'],
    ['0 0 * * MONDAY', 'failed to parse int from MONDAY: strconv.Atoi: parsing "MONDAY": invalid syntax'],
    ['0 0 * JANUARY *', 'failed to parse int from JANUARY: strconv.Atoi: parsing "JANUARY": invalid syntax'],
    ['0 0 * * FRI-MON', 'beginning of range (5) beyond end of range (1): FRI-MON (day of week)'],
    ['*/0 * * * *', 'step of range should be a positive number: */0 (minute)'],
    ['*/-1 * * * *', 'negative number (-1) not allowed: -1'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['L * * * *', 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'],
    ['0 0 * * 5#3', 'failed to parse int from 5#3: strconv.Atoi: parsing "5#3": invalid syntax'],
    ['99999999999999999999 * * * *', 'failed to parse int from 99999999999999999999: strconv.Atoi: parsing "99999999999999999999": value out of range'],
    ['@daily * * * *', 'unrecognized descriptor: @daily * * * *'],
    ['@reboot', 'unrecognized descriptor: @reboot'],
    ['@DAILY', 'unrecognized descriptor: @DAILY'],
    ['@every 1d', 'failed to parse duration @every 1d: time: invalid duration "1d"'],
    ['@every  1h', 'failed to parse duration @every  1h: time: invalid duration " 1h"'],
    ['TZ=Europe/Berlin 0 2 * * *', 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
    ['CRON_TZ=UTC 0 2 * * *', 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
  ])('%j: %s', (schedule, problem) => {
    expect(scheduleProblem(schedule)).toBe(problem);
  });
});

describe('time zones', () => {
  test.each(['UTC', 'Europe/Berlin', 'America/New_York', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'Etc/GMT-14', 'US/Eastern', 'Asia/Kolkata'])(
    '%j is accepted', (tz) => {
      expect(timeZoneProblem(tz)).toBeUndefined();
    });

  test.each([
    ['', 'timeZone must be nil or non-empty string'],
    ['Local', 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'],
    ['local', 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'],
    ['Europe/Berln', 'unknown time zone Europe/Berln'],
    ['europe/berlin', 'unknown time zone europe/berlin (time zone names are case-sensitive: Europe/Berlin)'],
    ['../etc/passwd', 'unknown time zone ../etc/passwd'],
    ['Europe/-Berlin', 'unknown time zone Europe/-Berlin'],
    ['America/Argentina_Buenos_Aires', 'unknown time zone America/Argentina_Buenos_Aires'], // a part over 14 characters
    ['+01:00', 'unknown time zone +01:00'],
    ['Europe Berlin', 'unknown time zone Europe Berlin'],
  ])('%j: %s', (tz, problem) => {
    expect(timeZoneProblem(tz)).toBe(problem);
  });
});

// Properties: generated schedules from the grammar are accepted; each single mutation that breaks
// one field is refused, whatever the rest of the schedule.
const FIELD_BOUNDS = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]] as const;
const NAMES: Record<number, string[]> = {
  3: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  4: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
};

function validRange(i: number): fc.Arbitrary<string> {
  const [min, max] = FIELD_BOUNDS[i];
  const value = fc.integer({ min, max });
  const named = NAMES[i] ? fc.constantFrom(...NAMES[i], ...NAMES[i].map(n => n.toLowerCase())) : value.map(String);
  const range = fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
  const step = fc.integer({ min: 1, max: max + 1 });
  return fc.oneof(
    value.map(String),
    named,
    range,
    fc.constantFrom('*', '?'),
    step.map(s => `*/${s}`),
    fc.tuple(range, step).map(([r, s]) => `${r}/${s}`),
    fc.tuple(value, step).map(([v, s]) => `${v}/${s}`),
  );
}
const validField = (i: number) => fc.array(validRange(i), { minLength: 1, maxLength: 3 }).map(r => r.join(','));
const validSchedule = fc.tuple(validField(0), validField(1), validField(2), validField(3), validField(4));

/** One field made invalid: out of its range, a zero step, a reversed range, a name where none is allowed, 7 for Sunday. */
function invalidField(i: number): fc.Arbitrary<string> {
  const [min, max] = FIELD_BOUNDS[i];
  return fc.oneof(
    fc.integer({ min: max + 1, max: 1000 }).map(String),
    ...(min > 0 ? [fc.constant(String(min - 1))] : []),
    fc.constant('*/0'),
    fc.integer({ min: min + 1, max }).map(v => `${v}-${v - 1}`),
    fc.constantFrom('L', 'W', '5#2', 'x', '1-', '-1', '1--2', '*//2'),
  );
}

test('property: every schedule generated from the parser\'s grammar is accepted', () => {
  fc.assert(fc.property(validSchedule, fields => {
    expect(scheduleProblem(fields.join(' '))).toBeUndefined();
  }), { numRuns: 500 });
});

test('property: a valid schedule with one field broken, or a field too many or too few, is refused', () => {
  const broken = fc.integer({ min: 0, max: 4 }).chain(i => fc.tuple(fc.constant(i), invalidField(i), fc.boolean()));
  fc.assert(fc.property(validSchedule, broken, (fields, [i, bad, inList]) => {
    const schedule = [...fields];
    schedule[i] = inList ? `${fields[i]},${bad}` : bad;
    expect(scheduleProblem(schedule.join(' '))).toBeDefined();
  }), { numRuns: 500 });
  fc.assert(fc.property(validSchedule, fc.boolean(), (fields, more) => {
    const count = more ? [...fields, '*'] : fields.slice(0, 4);
    expect(scheduleProblem(count.join(' '))).toBe(`expected exactly 5 fields, found ${count.length}: [${count.join(' ')}]`);
  }));
});

test('property: any schedule containing TZ is refused, whatever else it holds', () => {
  fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
    expect(scheduleProblem(`${a}TZ${b}`)).toBe('cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
  }));
});

test('property: a supported IANA zone is accepted as spelled, and refused in another case', () => {
  const zones = (Intl as any).supportedValuesOf('timeZone') as string[];
  fc.assert(fc.property(fc.constantFrom(...zones), zone => {
    // every zone name the API server can load passes its character rule; ICU lists a few it does not have (none here fail it)
    const tooLong = zone.split('/').some(p => p.length > 14);
    expect(timeZoneProblem(zone)).toBe(tooLong ? `unknown time zone ${zone}` : undefined);
    if (!tooLong && zone.toLowerCase() !== zone) expect(timeZoneProblem(zone.toLowerCase())).toMatch(/case-sensitive/);
  }));
});
