/**
 * Generated YAML for the kubectl oracle: files of one or more documents, each a Kubernetes-shaped
 * object (`apiVersion`, `kind`, `metadata.name` first, so kubectl accepts it and its output maps
 * back to the case) whose other members are random YAML: anchors, aliases, `<<` merge keys in every
 * position (inline maps, aliases, lists of both, several in one mapping), duplicate keys, tags,
 * YAML 1.1 booleans, octals, sexagesimals and other scalars, flow and block styles, comments, `kind: List`
 * documents, CRLF line breaks and a byte order mark.
 *
 * fast-check draws every choice (`fc.gen()`), with a fixed seed that `FC_SEED` overrides.
 */
import fc from 'fast-check';
import type { OracleCase } from './outcome';

export const DEFAULT_SEED = 2112;
export const seedFromEnv = (): number => (process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : DEFAULT_SEED);

/** Plain scalars whose reading differs between YAML 1.1, 1.2 and go-yaml, and ordinary ones. */
const SCALARS = [
  'y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'true', 'False', 'TRUE',
  '0644', '-0644', '+0644', '0o17', '0O17', '0x1F', '-0x1F', '+0x1F', '0b101', '-0b11', '0B1', '+12', '-0', '1_000', '0_7', '1__0',
  '1:20', '190:20:30', '09', '089', '1e3', '1E3', '1.5e-3', '.5', '-.5', '+.5', '1.', '0.0', '-0.0', '12345678901234567890', '-9223372036854775808',
  '18446744073709551615', '0xFFFFFFFFFFFFFFFFFF', '1e400', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10', '2001-13-40',
  '~', 'null', 'Null', 'NULL', '', 'x', 'hello world', 'privileged', 'ALL', 'RuntimeDefault', '80', '1000', '65534', '0', '0.1', '.NaN',
  '<<', '=', 'a:b', 'a#b', 'o', 'tRUE', 'nULL', '0x', '0o', '0b', '-', '--', 'yes please',
];
const KEYS = ['a', 'b', 'c', 'name', 'value', 'privileged', 'runAsUser', 'y', 'n', 'on', 'off', 'yes', '1', '0644', '1.5', '1e6', '0x10', 'true', 'x_1', '"<<"', "'<<'", '"on"', '-1', '2001-12-14'];
const TAGS = ['!!str', '!!int', '!!float', '!!bool', '!!null', '!!timestamp', '!custom', '!', '!!binary', '!<tag:yaml.org,2002:str>'];

const TAG_TEXTS: Record<string, readonly string[]> = {
  '!!int': ['0644', '0x1F', '12', '-3', '1_000', '0b11', '+7'],
  '!!float': ['1.5', '12', '1e3', '.5', '-0.0', '0644'],
  '!!bool': ['yes', 'off', 'true', 'N'],
  '!!null': ['~', 'null', 'NULL'],
  '!!timestamp': ['2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43'],
  '!!binary': ['aGVsbG8=', 'eA==', 'eHl6'],
};

type Node =
  | { t: 'scalar'; text: string; tag?: string; quote?: '"' | "'" }
  | { t: 'map'; entries: Array<{ key: string; value: Node }>; flow: boolean; anchor?: string }
  | { t: 'seq'; items: Node[]; flow: boolean; anchor?: string }
  | { t: 'alias'; name: string };

type Gen = (builder: (...args: any[]) => fc.Arbitrary<any>, ...args: any[]) => any;

class Builder {
  private anchors: Array<{ name: string; map: boolean }> = [];
  private next = 0;
  constructor(private readonly g: Gen) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[this.g(fc.nat, xs.length - 1)];
  }
  private chance(p: number): boolean {
    return this.g(fc.integer, { min: 0, max: 999 }) < p * 1000;
  }

  public resetAnchors(): void {
    this.anchors = [];
  }

  public scalar(): Node {
    const r = this.g(fc.nat, 99);
    if (r < 4) {
      const tag = this.pick(TAGS);
      // mostly text the tag accepts (a mismatch is an error kubectl reports: some of those too)
      const fits = TAG_TEXTS[tag];
      const text = fits !== undefined && !this.chance(0.04) ? this.pick(fits) : this.pick(SCALARS.filter(s => s !== '' && s !== '<<'));
      return { t: 'scalar', text, tag };
    }
    if (r < 16) return { t: 'scalar', text: this.pick(SCALARS), quote: this.pick(['"', "'"] as const) };
    if (r < 20) return { t: 'scalar', text: `plain${this.g(fc.nat, 9)}` };
    return { t: 'scalar', text: this.pick(SCALARS) };
  }

  public node(depth: number, flowOnly: boolean): Node {
    const r = this.g(fc.nat, 99);
    if (depth <= 0 || r < 45) {
      if (this.anchors.length > 0 && this.chance(0.12)) return { t: 'alias', name: this.pick(this.anchors).name };
      return this.scalar();
    }
    if (r < 80) return this.map(depth - 1, flowOnly || this.chance(0.25));
    return this.seq(depth - 1, flowOnly || this.chance(0.25));
  }

  public map(depth: number, flow: boolean, reserved: readonly string[] = [], root = false): Node {
    const anchor = !root && this.chance(0.3) ? `a${this.next++}` : undefined;
    const entries: Array<{ key: string; value: Node }> = [];
    const n = this.g(fc.nat, 4);
    for (let i = 0; i < n; i++) {
      if (this.chance(0.3) && this.anchors.some(a => a.map)) {
        entries.push({ key: '<<', value: this.mergeValue(flow) });
        continue;
      }
      let key = this.pick(KEYS);
      if (reserved.includes(key)) key = `k${key}`;
      if (entries.length > 0 && this.chance(0.1)) key = this.pick(entries).key; // a duplicate key
      if (key === '<<') key = 'k';
      entries.push({ key, value: this.node(depth, flow) });
    }
    const node: Node = { t: 'map', entries, flow, anchor };
    if (anchor) this.anchors.push({ name: anchor, map: true });
    return node;
  }

  private mergeValue(flow: boolean): Node {
    const maps = this.anchors.filter(a => a.map);
    const one = (): Node => (this.chance(0.75) ? { t: 'alias', name: this.pick(maps).name } : this.inlineMap());
    if (this.chance(0.35)) return { t: 'seq', items: [one(), one(), ...(this.chance(0.3) ? [one()] : [])], flow: true };
    if (!flow && this.chance(0.03)) return { t: 'scalar', text: this.pick(['~', 'x']) }; // kubectl refuses
    return one();
  }

  private inlineMap(): Node {
    const entries = [];
    const n = 1 + this.g(fc.nat, 2);
    for (let i = 0; i < n; i++) entries.push({ key: this.pick(KEYS.slice(0, 8)), value: this.scalar() });
    return { t: 'map', entries, flow: true };
  }

  public seq(depth: number, flow: boolean): Node {
    const anchor = this.chance(0.2) ? `a${this.next++}` : undefined;
    const items: Node[] = [];
    const n = this.g(fc.nat, 3);
    for (let i = 0; i < n; i++) items.push(this.node(depth, flow));
    if (anchor) this.anchors.push({ name: anchor, map: false });
    return { t: 'seq', items, flow, anchor };
  }
}

/** YAML text of a node in block style at `indent` (flow where the node says so). */
function scalarText(n: Extract<Node, { t: 'scalar' }>, inFlow: boolean): string {
  let text = n.text;
  if (n.quote === '"') text = JSON.stringify(text);
  else if (n.quote === "'") text = `'${text.replace(/'/g, "''")}'`;
  else if (text === '' && n.tag) text = '""';
  else if (inFlow && /[,\[\]{}#]/.test(text)) text = `'${text}'`;
  else if (/^[-?:,\[\]{}#&*!|>'"%@`]|: | #|^$/.test(text) && text !== '' && text !== '-' && !/^-[0-9.]/.test(text)) text = `'${text.replace(/'/g, "''")}'`;
  else if (text === '-' || text === '--') text = `'${text}'`;
  return n.tag ? `${n.tag} ${text}` : text;
}

function flowText(n: Node): string {
  switch (n.t) {
    case 'scalar':
      return scalarText(n, true);
    case 'alias':
      return `*${n.name}`;
    case 'map':
      return `${n.anchor ? `&${n.anchor} ` : ''}{${n.entries.map(e => `${e.key}: ${flowText(e.value)}`).join(', ')}}`;
    case 'seq':
      return `${n.anchor ? `&${n.anchor} ` : ''}[${n.items.map(flowText).join(', ')}]`;
  }
}

function isBlock(n: Node): boolean {
  return (n.t === 'map' && !n.flow && n.entries.length > 0) || (n.t === 'seq' && !n.flow && n.items.length > 0);
}

function block(n: Node, indent: number, comments: boolean): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  const inline = (v: Node) => (v.t === 'scalar' ? scalarText(v, false) : flowText(v));
  if (n.t === 'map') {
    for (const e of n.entries) {
      if (isBlock(e.value)) {
        const anchor = (e.value as any).anchor ? ` &${(e.value as any).anchor}` : '';
        lines.push(`${pad}${e.key}:${anchor}${comments ? ' # c' : ''}`);
        lines.push(...block(e.value, e.value.t === 'seq' && indent % 4 === 0 ? indent : indent + 2, comments));
      } else {
        lines.push(`${pad}${e.key}: ${inline(e.value)}`);
      }
    }
  } else if (n.t === 'seq') {
    for (const item of n.items) {
      if (isBlock(item)) {
        const anchor = (item as any).anchor ? ` &${(item as any).anchor}` : '';
        lines.push(`${pad}-${anchor}`);
        lines.push(...block(item, indent + 2, comments));
      } else {
        lines.push(`${pad}- ${inline(item)}`);
      }
    }
  }
  return lines;
}

function documentText(b: Builder, g: Gen, name: string, kind: string): string {
  const body = b.map(3, false, ['apiVersion', 'kind', 'metadata', 'items'], true) as Extract<Node, { t: 'map' }>;
  const comments = g(fc.nat, 9) < 2;
  const head = ['apiVersion: oracle.test/v1', `kind: ${kind}`, 'metadata:', `  name: ${name}`];
  if (comments) head.splice(1, 0, '# a comment line');
  // a root map with an anchor is written as its entries (the head keys come first)
  return [...head, ...block(body, 0, comments)].join('\n') + '\n';
}

/** One generated case: a file of 1-3 documents, maybe a List, maybe CRLF, maybe a BOM. */
export function caseArbitrary(id: string): fc.Arbitrary<OracleCase> {
  return fc.gen().map(g => {
    const b = new Builder(g);
    const docs: string[] = [];
    const n = 1 + g(fc.nat, 2);
    for (let d = 0; d < n; d++) {
      b.resetAnchors();
      const name = `${id}-d${d}`;
      if (g(fc.nat, 9) === 0) {
        const items = [0, 1].map(i => documentText(b, g, `${name}-i${i}`, 'Probe').split('\n').map((l, j) => (l === '' ? '' : j === 0 ? `- ${l}` : `  ${l}`)).join('\n'));
        docs.push(`apiVersion: v1\nkind: List\nitems:\n${items.join('').replace(/\n+$/, '')}\n`);
      } else {
        docs.push(documentText(b, g, name, 'Probe'));
      }
    }
    let text = docs.map((d, i) => (i === 0 && g(fc.nat, 1) === 0 ? d : `---\n${d}`)).join('');
    if (g(fc.nat, 7) === 0) text = text.replace(/\n/g, '\r\n');
    if (g(fc.nat, 9) === 0) text = '\ufeff' + text;
    return { name: id, text };
  });
}

/** `count` cases from `seed`, named `g<seed>n<i>`. */
export function generateCases(seed: number, count: number): OracleCase[] {
  const seeds = fc.sample(fc.integer(), { seed, numRuns: count });
  return seeds.map((s, i) => fc.sample(caseArbitrary(`g${seed}n${i}`), { seed: s, numRuns: 1 })[0]);
}
