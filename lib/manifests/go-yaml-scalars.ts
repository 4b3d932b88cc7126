/**
 * Scalars and map keys as kubectl reads them: sigs.k8s.io/yaml's `YAMLToJSON`, which unmarshals
 * with go-yaml v2 (its fork `sigs.k8s.io/yaml/goyaml.v2`, `resolve.go`) into `interface{}` and then
 * turns map keys into strings. Checked against kubectl 1.32 (`test/manifests/oracle/`).
 *
 * - Plain scalars: `y Y yes Yes YES true True TRUE on On ON` are true, the `n`/`no`/`false`/`off`
 *   spellings false; `'' ~ null Null NULL` null; `.nan`/`.inf` are floats, which JSON cannot hold,
 *   so kubectl refuses the document. A leading digit or sign: a timestamp-looking value stays the
 *   text; otherwise, with underscores removed, Go's `ParseInt(s, 0, 64)` (`0x1F`, `0o17`, `0b101`,
 *   and a leading zero is octal: `0644` is 420; up to 64 bits, unsigned too), then a YAML-style float
 *   (`09` is 9, `1e3` 1000). An integer beyond 64 bits is a double, as JSON.parse reads kubectl's output.
 *   Sexagesimals (`1:20`) stay text: go-yaml never supported them.
 * - Quoted and block scalars are text. Explicit tags: `!!str`, `!!binary` (base64-decoded),
 *   `!!int`, `!!float`, `!!bool`, `!!null`, `!!timestamp` must match (else kubectl refuses), any other
 *   tag leaves the text.
 * - Map keys become JSON member names: text as is, integers in decimal, booleans `true`/`false`,
 *   floats as Go's `FormatFloat(f, 'g', -1, 32)`; a null, a 64-bit-unsigned or larger integer or a
 *   collection key is refused.
 */

/** Why kubectl refuses a scalar or a key; the message says what and where (set by the reader). */
export class KubectlYamlError extends Error {}

const YAML_TAG = 'tag:yaml.org,2002:';

const BOOL_OR_NULL: ReadonlyMap<string, boolean | null> = new Map<string, boolean | null>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map(s => [s, true] as [string, boolean]),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(s => [s, false] as [string, boolean]),
  ...['', '~', 'null', 'Null', 'NULL'].map(s => [s, null] as [string, null]),
]);
const NON_FINITE = new Set(['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF']);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
/** `time.Parse` formats go-yaml tries (RFC 3339 with short fields, space-separated, date only). */
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})| [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?)?$/;

/** The kind of number go-yaml resolved (keys need it: an integer and a float print differently). */
export enum NumberKind { INT, UINT_OR_BIG, FLOAT }

/** A resolved scalar: its JSON value, and for numbers what Go held. */
export interface Resolved {
  readonly value: unknown;
  readonly tag: 'str' | 'bool' | 'null' | 'int' | 'float' | 'timestamp';
  readonly numberKind?: NumberKind;
}

const STR = (value: string): Resolved => ({ value, tag: 'str' });

/** go-yaml's reading of an untagged plain scalar (`resolve("", in)`). */
export function resolvePlain(text: string): Resolved {
  return goResolve('', text);
}

/**
 * go-yaml's `resolve(tag, in)` for the tags it resolves ('' for an untagged plain scalar), with its
 * deferred check that an explicit tag matches what the text resolves to.
 */
function goResolve(tag: string, text: string): Resolved {
  const r = resolveHint(tag, text);
  if (tag === '' || tag === r.tag || tag === 'str') return r;
  if (tag === 'float' && r.tag === 'int') return { value: r.value, tag: 'float', numberKind: NumberKind.FLOAT };
  throw new KubectlYamlError(`cannot decode !!${r.tag} \`${text}\` as a !!${tag}`);
}

function resolveHint(tag: string, text: string): Resolved {
  if (tag === 'str') return STR(text);
  if (text.length === 0) return { value: null, tag: 'null' };
  const c = text.charCodeAt(0);
  // resolveTable: digits and signs, '.', and the first letters of the words of resolveMap
  const digitOrSign = (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d;
  if (!digitOrSign && c !== 0x2e && 'yYnNtTfFoO~'.indexOf(text[0]) === -1) return STR(text);
  const known = BOOL_OR_NULL.get(text);
  if (known !== undefined) return { value: known, tag: known === null ? 'null' : 'bool' };
  if (NON_FINITE.has(text)) return { value: text, tag: 'float', numberKind: NumberKind.FLOAT };
  if (c === 0x2e) return (GO_DOT_FLOAT.test(text) ? floatOf(text) : undefined) ?? STR(text);
  if (!digitOrSign) return STR(text);
  return resolveNumber(text, tag === '' || tag === 'timestamp') ?? STR(text);
}

function floatOf(text: string): Resolved | undefined {
  const v = Number(text);
  if (!Number.isFinite(v)) return undefined; // Go's ParseFloat reports a range error: not a float
  return { value: v, tag: 'float', numberKind: NumberKind.FLOAT };
}

/** The digit/sign branch of `resolve`: timestamp, int (base prefixes, octal), YAML float, `0b`. */
function resolveNumber(text: string, timestamps: boolean): Resolved | undefined {
  if (timestamps && TIMESTAMP.test(text) && validDate(text)) return { value: text, tag: 'timestamp' };
  const plain = text.indexOf('_') === -1 ? text : text.replace(/_/g, '');
  const int = parseGoInt(plain);
  if (int !== undefined) return int;
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = floatOf(plain);
    if (f !== undefined) return f;
  }
  return undefined; // go-yaml's own `0b` branch reads nothing ParseInt(s, 0, 64) did not
}

/** Whether a timestamp-shaped text is a real date (`time.Parse` refuses month 13, day 32 ...). */
function validDate(text: string): boolean {
  const m = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})/.exec(text)!;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(Number(m[1]), month, 0)).getUTCDate();
  if (day > days) return false;
  const t = /[Tt ]+([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})/.exec(text.slice(m[0].length));
  if (t && (Number(t[1]) > 23 || Number(t[2]) > 59 || Number(t[3]) > 59)) return false;
  return true;
}

/**
 * Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)` (no sign), as go-yaml tries them.
 * Beyond both, kubectl 1.32's go-yaml gives up on the integer (a decimal may still be a float;
 * `0xFFFFFFFFFFFFFFFFFF` stays text).
 */
function parseGoInt(s: string): Resolved | undefined {
  let i = 0;
  let neg = false;
  const signed = s[0] === '+' || s[0] === '-';
  if (signed) {
    neg = s[0] === '-';
    i = 1;
  }
  let base = 10;
  let digits = s.slice(i);
  if (digits.length > 1 && digits[0] === '0') {
    const p = digits[1];
    if (p === 'x' || p === 'X') {
      base = 16;
      digits = digits.slice(2);
    } else if (p === 'o' || p === 'O') {
      base = 8;
      digits = digits.slice(2);
    } else if (p === 'b' || p === 'B') {
      base = 2;
      digits = digits.slice(2);
    } else {
      base = 8;
      digits = digits.slice(1);
    }
  }
  const valid = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return undefined;
  return intOf(neg, signed, digits, base);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function intOf(neg: boolean, signed: boolean, digits: string, base: number): Resolved | undefined {
  const big = BigInt(base === 10 ? digits : `0${base === 16 ? 'x' : base === 8 ? 'o' : 'b'}${digits}`) * (neg ? -1n : 1n);
  if (big >= INT64_MIN && big <= INT64_MAX) return { value: Number(big), tag: 'int', numberKind: NumberKind.INT };
  if (!signed && big <= UINT64_MAX) return { value: Number(big), tag: 'int', numberKind: NumberKind.UINT_OR_BIG };
  return undefined;
}

/**
 * A scalar with an explicit tag (`!!int 3`, `!foo x`), as go-yaml reads it. `tag` is the tag as
 * written (`!!int`, `!<tag:yaml.org,2002:int>`, `!local`); quoted or not, go-yaml resolves it the same way.
 */
export function resolveTagged(tag: string, text: string): Resolved {
  const name = yamlTagName(tag);
  switch (name) {
    case 'binary':
      return STR(decodeBinary(text));
    case 'str':
    case 'bool':
    case 'null':
    case 'int':
    case 'float':
    case 'timestamp': {
      const r = goResolve(name, text);
      // a timestamp is kept as its text when read into interface{} (go-yaml v2 decode.go)
      return r.tag === 'timestamp' ? STR(text) : r;
    }
    default:
      return STR(text); // go-yaml leaves the text of a tag it does not resolve (`!foo x`, `!!merge <<`)
  }
}

/** The short name of a `tag:yaml.org,2002:` tag (`!!int` or its verbatim form), else undefined. */
export function yamlTagName(tag: string): string | undefined {
  if (tag.startsWith('!!')) return tag.slice(2);
  if (tag.startsWith(`!<${YAML_TAG}`) && tag.endsWith('>')) return tag.slice(YAML_TAG.length + 2, -1);
  return undefined;
}

function decodeBinary(text: string): string {
  const clean = text.replace(/[\s]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) {
    throw new KubectlYamlError('!!binary value contains invalid base64 data');
  }
  return Buffer.from(clean, 'base64').toString('utf8');
}

/**
 * The JSON member name kubectl makes of a resolved map key (sigs.k8s.io/yaml
 * `convertToJSONableObject`). Throws `KubectlYamlError` for a key kubectl refuses.
 */
export function keyString(key: Resolved): string {
  switch (key.tag) {
    case 'str':
    case 'timestamp':
      return key.value as string;
    case 'bool':
      return key.value ? 'true' : 'false';
    case 'int':
      if (key.numberKind !== NumberKind.INT) throw new KubectlYamlError(`unsupported map key: ${String(key.value)} (an integer beyond 64-bit signed)`);
      return BigInt.asIntN(64, BigInt(key.value as number)).toString();
    case 'float':
      return goFloat32String(key.value);
    default:
      throw new KubectlYamlError('unsupported map key of type: <nil> (a null key)');
  }
}

/** `strconv.FormatFloat(f, 'g', -1, 32)` with go-yaml's names for the non-finite values. */
function goFloat32String(v: unknown): string {
  if (typeof v === 'string') {
    // the non-finite words: a key may hold one (a value may not: JSON has no such number)
    if (v.endsWith('nan') || v.endsWith('NaN') || v.endsWith('NAN')) return '.nan';
    return v.startsWith('-') ? '-.inf' : '.inf';
  }
  const f = Math.fround(v as number);
  if (!Number.isFinite(f)) return f > 0 ? '.inf' : '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // shortest decimal that reads back as the same float32
  let digits = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const s = f.toExponential(p - 1);
    if (Math.fround(Number(s)) === f) {
      const [mant, e] = s.split('e');
      digits = mant.replace('-', '').replace('.', '');
      exp = Number(e);
      break;
    }
  }
  const sign = f < 0 ? '-' : '';
  digits = digits.replace(/0+$/, '') || '0';
  if (exp < -4 || exp >= 6) { // 'g' with the shortest digits decides with precision 6
    // %e with the shortest digits, exponent at least two digits
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exp >= digits.length - 1) return sign + digits + '0'.repeat(exp - digits.length + 1);
  if (exp >= 0) return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/**
 * The value a YAML 1.2 core-schema reader gives an untagged plain scalar (`yaml` in 1.2 mode,
 * js-yaml's default): only to tell where kubectl's YAML 1.1 reading differs, never to judge.
 */
export function resolveCore12(text: string): unknown {
  if (/^(null|Null|NULL|~|)$/.test(text)) return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(text)) return NaN;
  return text;
}
