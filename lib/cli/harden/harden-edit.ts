/**
 * Minimal, text-preserving edits of YAML (and JSON) documents, planned on the `yaml`
 * package's Document API: a plan only *adds* keys to existing mappings, appends items to
 * existing sequences and fills empty (null) values; `applyPlans` turns it into insertions at
 * the nodes' source ranges, so every byte it does not add stays as it was (comments, anchors,
 * quoting, flow style, key order, document markers, a missing final newline). Block
 * insertions follow the indentation of their siblings; flow collections (and JSON) get
 * entries in their own syntax (JSON or YAML flow), layout (one line, or one entry per line
 * at the items' indentation) and trailing-comma style.
 *
 * Nothing is ever re-serialized: when `harden` cannot verify an edit, it leaves the
 * document as it was (lib/cli/harden/harden.ts).
 */
import type * as YAML from 'yaml';
import { yaml } from '../lazy';

export type YMap = YAML.YAMLMap<unknown, unknown>;
export type YSeq = YAML.YAMLSeq<unknown>;

/** Where a plan writes: an existing mapping node, or a value the plan itself creates. */
export type Cursor = { readonly node: YMap } | { readonly pending: Record<string, unknown> };
/** Where a plan appends: an existing sequence node, or an array the plan itself creates. */
export type SeqCursor = { readonly seq: YSeq } | { readonly pendingSeq: unknown[] };

/** The key of a pair as a string (`<<` for a merge key). */
export function keyOf(key: unknown): string | undefined {
  if (yaml().isScalar(key)) return typeof key.value === 'symbol' ? '<<' : key.value === null || key.value === undefined ? undefined : String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/** Edits planned on the nodes of documents parsed from one text. */
export class EditPlan {
  /** New keys of existing mappings, in planning order. */
  public readonly mapAdds = new Map<YMap, Record<string, unknown>>();
  /** New items of existing sequences. */
  public readonly seqAdds = new Map<YSeq, unknown[]>();
  /** Empty (null) values replaced by a value the plan creates. */
  public readonly replaces = new Map<YAML.Scalar, unknown>();
  /** Existing scalars given a new value (e.g. an annotation rewritten). */
  public readonly scalarSets = new Map<YAML.Scalar, unknown>();

  public constructor(private readonly doc: YAML.Document.Parsed) {}

  /** The document the plan edits. */
  public get document(): YAML.Document.Parsed {
    return this.doc;
  }

  /** Whether the plan changes anything. */
  public get empty(): boolean {
    return this.mapAdds.size === 0 && this.seqAdds.size === 0 && this.replaces.size === 0 && this.scalarSets.size === 0;
  }

  /** The node under `key` (own pairs first, then `<<` merge sources), aliases resolved. */
  public lookup(map: YMap, key: string): unknown {
    for (const pair of map.items) if (keyOf(pair.key) === key) return this.resolve(pair.value);
    for (const pair of map.items) {
      if (keyOf(pair.key) !== '<<') continue;
      const source = this.resolve(pair.value);
      for (const s of yaml().isSeq(source) ? source.items.map(i => this.resolve(i)) : [source]) {
        if (yaml().isMap(s)) {
          const found = this.lookup(s, key);
          if (found !== undefined) return found;
        }
      }
    }
    return undefined;
  }

  public resolve(node: unknown): unknown {
    return yaml().isAlias(node) ? node.resolve(this.doc) : node;
  }

  /** A cursor on a mapping node (resolving aliases), or undefined if it is not a mapping. */
  public cursor(node: unknown): Cursor | undefined {
    const n = this.resolve(node);
    return yaml().isMap(n) ? { node: n } : undefined;
  }

  /** The current value under `key` as plain JSON (pending values included), or undefined. */
  public get(c: Cursor, key: string): unknown {
    if ('pending' in c) return c.pending[key];
    const pending = this.mapAdds.get(c.node)?.[key];
    if (pending !== undefined) return pending;
    const node = this.lookup(c.node, key);
    if (node === undefined) return undefined;
    if (yaml().isScalar(node) && this.replaces.has(node)) return this.replaces.get(node);
    return yaml().isNode(node) ? node.toJS(this.doc) : node;
  }

  /**
   * The mapping under `key`, created (empty) when missing or null. Undefined when the
   * value is something else (a scalar, a sequence): the manifest is malformed there.
   */
  public child(c: Cursor, key: string): Cursor | undefined {
    if ('pending' in c) {
      const v = c.pending[key];
      if (v === undefined || v === null) return { pending: (c.pending[key] = {}) as Record<string, unknown> };
      return typeof v === 'object' && !Array.isArray(v) ? { pending: v as Record<string, unknown> } : undefined;
    }
    const adds = this.mapAdds.get(c.node);
    if (adds && key in adds) {
      const v = adds[key];
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? { pending: v as Record<string, unknown> } : undefined;
    }
    const node = this.lookup(c.node, key);
    if (node === undefined) return { pending: this.add(c.node, key, {}) as Record<string, unknown> };
    if (yaml().isMap(node)) return { node };
    if (yaml().isScalar(node) && node.value === null) {
      if (!this.replaces.has(node)) this.replaces.set(node, {});
      const v = this.replaces.get(node);
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? { pending: v as Record<string, unknown> } : undefined;
    }
    return undefined;
  }

  /** The sequence under `key`, created (empty) when missing or null; undefined when it is something else. */
  public seq(c: Cursor, key: string): SeqCursor | undefined {
    if ('pending' in c) {
      const v = c.pending[key];
      if (v === undefined || v === null) return { pendingSeq: (c.pending[key] = []) as unknown[] };
      return Array.isArray(v) ? { pendingSeq: v } : undefined;
    }
    const adds = this.mapAdds.get(c.node);
    if (adds && key in adds) return Array.isArray(adds[key]) ? { pendingSeq: adds[key] as unknown[] } : undefined;
    const node = this.lookup(c.node, key);
    if (node === undefined) return { pendingSeq: this.add(c.node, key, []) as unknown[] };
    if (yaml().isSeq(node)) return { seq: node };
    if (yaml().isScalar(node) && node.value === null) {
      if (!this.replaces.has(node)) this.replaces.set(node, []);
      const v = this.replaces.get(node);
      return Array.isArray(v) ? { pendingSeq: v } : undefined;
    }
    return undefined;
  }

  /** Sets `key` to `value` when it is missing or null; returns whether it did. */
  public setIfMissing(c: Cursor, key: string, value: unknown): boolean {
    const current = this.get(c, key);
    if (current !== undefined && current !== null) return false;
    if ('pending' in c) {
      c.pending[key] = value;
      return true;
    }
    const node = this.lookup(c.node, key);
    if (yaml().isScalar(node) && node.value === null) this.replaces.set(node, value);
    else this.add(c.node, key, value);
    return true;
  }

  /** Sets an existing scalar under `key` to a new value (e.g. an annotation), or adds the key. */
  public setScalar(c: Cursor, key: string, value: unknown): void {
    if ('pending' in c) {
      c.pending[key] = value;
      return;
    }
    const adds = this.mapAdds.get(c.node);
    if (adds && key in adds) {
      adds[key] = value;
      return;
    }
    const node = this.lookup(c.node, key);
    if (yaml().isScalar(node)) this.scalarSets.set(node, value);
    else this.add(c.node, key, value);
  }

  /** Appends an item to a sequence. */
  public append(s: SeqCursor, item: unknown): void {
    if ('pendingSeq' in s) {
      s.pendingSeq.push(item);
      return;
    }
    const list = this.seqAdds.get(s.seq) ?? [];
    list.push(item);
    this.seqAdds.set(s.seq, list);
  }

  /** The items of the sequence under `key` that are mappings, with their cursors (the adopt stage's `PodEditor.mappings`). */
  public mappings(c: Cursor, key: string): Array<{ js: any; cursor: Cursor; index: number }> {
    const list = this.get(c, key);
    if (!Array.isArray(list)) return [];
    const seq = 'node' in c ? this.resolve(this.lookup(c.node, key)) : undefined;
    const out: Array<{ js: any; cursor: Cursor; index: number }> = [];
    list.forEach((js, index) => {
      if (typeof js !== 'object' || js === null) return;
      const node = yaml().isSeq(seq) ? seq.items[index] : undefined;
      const cursor = node !== undefined ? this.cursor(node) : 'pending' in c && !Array.isArray(js) ? { pending: js } : undefined;
      if (cursor) out.push({ js, cursor, index });
    });
    return out;
  }

  /** The current items of a sequence as plain JSON (pending ones included). */
  public items(s: SeqCursor): unknown[] {
    if ('pendingSeq' in s) return s.pendingSeq;
    return [...(s.seq.toJS(this.doc) as unknown[]), ...this.seqAdds.get(s.seq) ?? []];
  }

  /**
   * The value at a cursor as plain JSON, with every planned edit applied (merge keys resolved,
   * own keys first): what the document will say once the plan is applied. Do not mutate it.
   */
  public json(c: Cursor): Record<string, unknown> {
    return 'pending' in c ? c.pending : this.nodeJson(c.node) as Record<string, unknown>;
  }

  private nodeJson(node: unknown): unknown {
    const n = this.resolve(node);
    if (yaml().isScalar(n)) {
      if (this.replaces.has(n)) return this.replaces.get(n);
      if (this.scalarSets.has(n)) return this.scalarSets.get(n);
      return n.toJS(this.doc);
    }
    if (yaml().isMap(n)) {
      const out: Record<string, unknown> = {};
      const merged: Record<string, unknown>[] = [];
      for (const pair of n.items) {
        const key = keyOf(pair.key);
        if (key === '<<') {
          const source = this.resolve(pair.value);
          for (const s of yaml().isSeq(source) ? source.items : [source]) {
            const v = this.nodeJson(s);
            if (typeof v === 'object' && v !== null && !Array.isArray(v)) merged.push(v as Record<string, unknown>);
          }
        } else if (key !== undefined) {
          out[key] = this.nodeJson(pair.value);
        }
      }
      // earlier merge sources win over later ones; own keys over all
      for (const m of merged) for (const [k, v] of Object.entries(m)) if (!(k in out)) out[k] = v;
      return Object.assign(out, this.mapAdds.get(n) ?? {});
    }
    if (yaml().isSeq(n)) return [...n.items.map(i => this.nodeJson(i)), ...this.seqAdds.get(n) ?? []];
    return yaml().isNode(n) ? n.toJS(this.doc) : n;
  }

  private add(map: YMap, key: string, value: unknown): unknown {
    const adds = this.mapAdds.get(map) ?? {};
    adds[key] = value;
    this.mapAdds.set(map, adds);
    return value;
  }
}

interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /**
   * Among insertions at one offset, lower ranks come first in the result: deeper (larger
   * column) blocks first, sequence items before mapping keys at the same column, then planning order.
   */
  readonly rank: readonly number[];
}

/** How block insertions are laid out. */
export interface Layout {
  /** Spaces per nesting level. */
  readonly indent: number;
  /** Whether block sequences under a key are indented (`key:\n  - a`) or not (`key:\n- a`). */
  readonly indentSeq: boolean;
}

/** Guesses the layout of a text from its first nested mapping and its first sequence under a key. */
export function detectLayout(text: string): Layout {
  let indent = 2;
  let indentSeq = true;
  const nested = /^( *)[^\s#-][^:\n]*:[ \t]*\n( +)[^\s#-]/m.exec(text);
  if (nested && nested[2].length > nested[1].length) indent = nested[2].length - nested[1].length;
  const seq = /^( *)[^\s#-][^:\n]*:[ \t]*\n( *)- /m.exec(text);
  if (seq) indentSeq = seq[2].length > seq[1].length;
  return { indent, indentSeq };
}

/** How entries are written into one flow collection. */
interface FlowStyle {
  /** JSON syntax (double-quoted keys and strings) rather than YAML flow. */
  readonly json: boolean;
  /** Spaces per nesting level, for values written over several lines. */
  readonly indent: number;
  /** Whether the collection ends its items with a comma (`{a: 1, }`, one entry per line with `,`). */
  readonly trailing: boolean;
  readonly eol: string;
}

/** Longest line (from the entry's column) a value is written on before it is split over lines. */
const FLOW_LINE = 100;

/** A value in flow syntax: one line, or (`multiLine`) one entry per line when it is JSON or longer than FLOW_LINE. */
function renderFlow(value: unknown, style: FlowStyle, col: number, multiLine: boolean): string {
  const one = style.json ? JSON.stringify(value)
    : yaml().stringify(value, { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trimEnd();
  // JSON documents are written expanded (as kubectl and JSON.stringify(…, null, 2) do); YAML flow only when long
  if (!multiLine || typeof value !== 'object' || value === null || (!style.json && col + one.length <= FLOW_LINE)) return one;
  const inner = col + style.indent;
  const entries = Array.isArray(value)
    ? value.map(v => renderFlow(v, style, inner, true))
    : Object.entries(value).map(([k, v]) => `${renderFlow(k, style, inner, false)}: ${renderFlow(v, style, inner, true)}`);
  if (entries.length === 0) return one;
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  const body = entries.map((e, i) => ' '.repeat(inner) + e + (i < entries.length - 1 || style.trailing ? ',' : '') + style.eol).join('');
  return open + style.eol + body + ' '.repeat(col) + close;
}

/**
 * Where a block collection's content ends: the end of its last value, recursively. A collection's own
 * range also covers the comment lines after its last value and the indentation of the next key, so a
 * container that ends in comments before a shallower key (`# resources:` lines, then
 * `volumeClaimTemplates:`) would get its new entries after that key.
 */
export function contentEnd(node: YAML.Node): number {
  const y = yaml();
  if ((y.isMap(node) || y.isSeq(node)) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1] as unknown;
    const inner = y.isPair(last) ? (y.isNode(last.value) ? last.value : last.key) : last;
    if (y.isNode(inner) && inner.range) return contentEnd(inner);
  }
  return node.range![1];
}

/** Applies the plans' edits to `text` (whose documents they were planned on). */
export function applyPlans(text: string, plans: readonly EditPlan[], layout: Layout = detectLayout(text)): string {
  const edits: TextEdit[] = [];
  let order = 0;
  const lineStart = (offset: number): number => text.lastIndexOf('\n', offset - 1) + 1;
  const column = (offset: number): number => offset - lineStart(offset);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const afterLine = (offset: number): { at: number; prefix: string; end: boolean } => {
    if (offset > 0 && text[offset - 1] === '\n') return { at: offset, prefix: '', end: false };
    const nl = text.indexOf('\n', offset);
    return nl < 0 ? { at: text.length, prefix: eol, end: true } : { at: nl + 1, prefix: '', end: false };
  };
  // the same additions recur in every item of a List: each distinct one is rendered once
  const rendered = new Map<string, string>();
  const block = (value: unknown, col: number): string => {
    const key = `${col} ${JSON.stringify(value)}`;
    let out = rendered.get(key);
    if (out === undefined) {
      out = yaml().stringify(value, { indent: layout.indent, indentSeq: layout.indentSeq, lineWidth: 0 })
        .split('\n').filter(l => l !== '').map(l => ' '.repeat(col) + l + eol).join('');
      rendered.set(key, out);
    }
    return out;
  };
  // at the very end of a text without a final newline, the insertion does not add one
  const blockAt = (at: { prefix: string; end: boolean }, body: string): string =>
    (at.end ? at.prefix + body.slice(0, -eol.length) : at.prefix + body);
  // in a flow collection written as JSON (double-quoted keys, or a JSON document), write JSON; else plain YAML flow
  const jsonStyle = (first: unknown): boolean => {
    const n = yaml().isPair(first) ? first.key : first;
    return yaml().isScalar(n) ? n.type === 'QUOTE_DOUBLE' : /^\s*[[{]/.test(text);
  };
  /** The first offset at or after `from` that is not whitespace or a comment. */
  const skipSpace = (from: number): number => {
    let i = from;
    for (;;) {
      while (i < text.length && /\s/.test(text[i])) i++;
      if (text[i] !== '#') return i;
      while (i < text.length && text[i] !== '\n') i++;
    }
  };
  /** Insertions of rendered entries into a flow collection, in its own layout and comma style. */
  type Render = (e: unknown, style: FlowStyle, col: number, multi: boolean) => string;
  const flowEdits = (collection: YMap | YSeq, entries: readonly unknown[], render: Render, json: boolean): void => {
    const close = text.lastIndexOf(collection.flow && yaml().isMap(collection) ? '}' : ']', collection.range![1] - 1);
    const last = collection.items[collection.items.length - 1] as unknown;
    const lastNode = yaml().isPair(last) ? (last.value as YAML.Node | null) ?? (last.key as YAML.Node) : last as YAML.Node | undefined;
    const lastEnd = lastNode?.range ? lastNode.range[1] : text.indexOf(yaml().isMap(collection) ? '{' : '[', collection.range![0]) + 1;
    const afterLast = skipSpace(lastEnd);
    const trailing = last !== undefined && text[afterLast] === ',' && skipSpace(afterLast + 1) === close;
    const ownLine = close > 0 && text.slice(lineStart(close), close).trim() === '';
    const open = collection.range![0];
    const multi = ownLine && text.slice(open, close).includes('\n');
    const style: FlowStyle = { json, indent: layout.indent, trailing, eol };
    if (multi) {
      const first = collection.items[0] as unknown;
      const firstNode = yaml().isPair(first) ? first.key as YAML.Node : first as YAML.Node | undefined;
      const lastStart = yaml().isPair(last) ? (last.key as YAML.Node)?.range?.[0] : (last as YAML.Node | undefined)?.range?.[0];
      const itemCol = lastStart !== undefined && text.slice(lineStart(lastStart), lastStart).trim() === '' ? column(lastStart)
        : firstNode?.range && text.slice(lineStart(firstNode.range[0]), firstNode.range[0]).trim() === '' ? column(firstNode.range[0])
          : column(close) + layout.indent;
      const lines = entries.map(e => render(e, style, itemCol, true));
      const body = lines.map((l, i) => ' '.repeat(itemCol) + l + (i < lines.length - 1 || trailing ? ',' : '') + eol).join('');
      if (last !== undefined && !trailing) edits.push({ start: lastEnd, end: lastEnd, text: ',', rank: [0, 0, order++] });
      edits.push({ start: lineStart(close), end: lineStart(close), text: body, rank: [0, 0, order++] });
      return;
    }
    const body = entries.map(e => render(e, style, 0, false)).join(', ');
    if (last === undefined) edits.push({ start: close, end: close, text: body, rank: [0, 0, order++] });
    else if (trailing) edits.push({ start: close, end: close, text: /\s/.test(text[close - 1]) ? `${body}, ` : ` ${body},`, rank: [0, 0, order++] });
    else edits.push({ start: lastEnd, end: lastEnd, text: `, ${body}`, rank: [0, 0, order++] });
  };

  for (const plan of plans) {
    for (const [map, adds] of plan.mapAdds) {
      const range = map.range!;
      if (map.flow) {
        const json = jsonStyle(map.items[0]?.key);
        flowEdits(map, Object.entries(adds), (e, style, col, multi) => {
          const [k, v] = e as [string, unknown];
          return `${renderFlow(k, style, col, false)}: ${renderFlow(v, style, col, multi)}`;
        }, json);
      } else {
        const first = map.items[0]?.key as YAML.Node | undefined;
        const col = first?.range ? column(first.range[0]) : column(range[0]);
        const at = afterLine(contentEnd(map));
        edits.push({ start: at.at, end: at.at, text: blockAt(at, block(adds, col)), rank: [-col, 1, order++] });
      }
    }
    for (const [seq, items] of plan.seqAdds) {
      const range = seq.range!;
      if (seq.flow) {
        flowEdits(seq, items, (e, style, col, multi) => renderFlow(e, style, col, multi), jsonStyle(seq.items[0]));
      } else {
        const col = column(range[0]);
        const at = afterLine(contentEnd(seq));
        edits.push({ start: at.at, end: at.at, text: blockAt(at, block(items, col)), rank: [-col, 0, order++] });
      }
    }
    for (const [scalar, value] of [...plan.replaces, ...plan.scalarSets]) {
      const [start, end] = scalar.range!;
      const lead = start === end && text[start - 1] === ':' ? ' ' : '';
      edits.push({ start, end, text: lead + JSON.stringify(value), rank: [0, 0, order++] });
    }
  }
  // in text order; at one offset the lowest rank first
  const byRank = (a: readonly number[], b: readonly number[]): number => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  };
  edits.sort((a, b) => a.start - b.start || byRank(a.rank, b.rank));
  // one pass over the text (splicing edit by edit copies it once per edit)
  const chunks: string[] = [];
  let at = 0;
  for (const e of edits) {
    chunks.push(text.slice(at, e.start), e.text);
    at = Math.max(at, e.end);
  }
  chunks.push(text.slice(at));
  return chunks.join('');
}
