/**
 * Un-sharing an anchor before `harden` edits one of its uses: a value shared through `&name` and
 * `*name` between fields of different API types (a pod's and a container's `securityContext`) cannot
 * be edited in place, since an edit of one would reach the other (container-only fields at pod level,
 * which the API server refuses). So each alias of such an anchor is replaced by a copy of the anchored
 * text, re-indented, and the anchor is removed: both sides become plain mappings that read exactly as
 * kubectl read the shared value (the caller checks that), and harden then edits each on its own.
 *
 * Anchors used by a `<<` merge key are not un-shared (harden refuses to edit through a merge).
 */
import type * as YAML from 'yaml';
import { contentEnd } from './harden-edit';
import { yaml } from '../lazy';

/** An un-shared text. */
export interface Unshared {
  readonly text: string;
  /** What was written out, per document index. */
  readonly notes: ReadonlyArray<{ readonly index: number; readonly note: string }>;
}

/** The text with the anchors `names` written out at each of their aliases, and what was done; undefined when nothing could be. */
export function unshareAnchors(text: string, names: ReadonlySet<string>, indent: number): Unshared | undefined {
  const y = yaml();
  const docs = y.parseAllDocuments(text, { version: '1.1' });
  if (!Array.isArray(docs)) return undefined;
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const notes: Array<{ index: number; note: string }> = [];
  const lineStart = (o: number): number => text.lastIndexOf('\n', o - 1) + 1;
  const lineOf = (o: number): number => text.slice(0, o).split('\n').length;
  for (const [index, doc] of docs.entries()) {
    const anchored = new Map<string, YAML.Node>();
    const aliases: Array<YAML.Alias> = [];
    let merged = false;
    y.visit(doc, {
      Alias: (_k, node, path) => {
        if (!names.has(node.source)) return;
        const parent = path[path.length - 1];
        const mergePair = (p: unknown): boolean => y.isPair(p) && y.isScalar(p.key) && p.key.value === '<<';
        if (mergePair(parent) || (y.isSeq(parent) && mergePair(path[path.length - 2]))) merged = true;
        aliases.push(node);
      },
      Node: (_k, node) => {
        if (node.anchor && names.has(node.anchor)) anchored.set(node.anchor, node);
      },
    });
    if (merged) return undefined;
    for (const alias of aliases) {
      const target = anchored.get(alias.source);
      if (!target?.range || !alias.range) return undefined;
      if (!y.isMap(target) || target.flow) return undefined; // block mappings only (a securityContext)
      const [start, end] = [target.range[0], contentEnd(target)];
      const baseCol = start - lineStart(start);
      const body = text.slice(start, end).replace(/\r?\n$/, '').split('\n');
      if (body.slice(1).some(l => l.trim() !== '' && l.length - l.trimStart().length < baseCol)) return undefined;
      const line = text.slice(lineStart(alias.range[0]), alias.range[0]);
      const col = line.length - line.trimStart().length + indent;
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      const copy = body.map((l, i) => (l.trim() === '' ? '' : ' '.repeat(col) + (i === 0 ? l : l.slice(baseCol)).replace(/\r$/, ''))).join(eol);
      let from = alias.range[0];
      while (from > 0 && text[from - 1] === ' ') from--;
      edits.push({ start: from, end: alias.range[0] + 1 + alias.source.length, text: eol + copy });
      notes.push({ index, note: `*${alias.source} (line ${lineOf(alias.range[0])}) written out as a copy of &${alias.source}` });
    }
    for (const [name, node] of anchored) {
      const at = text.lastIndexOf(`&${name}`, node.range![0]);
      if (at === -1) return undefined;
      const before = at > 0 && text[at - 1] === ' ' ? 1 : 0;
      edits.push({ start: at - before, end: at + name.length + 1, text: '' });
    }
  }
  if (edits.length === 0) return undefined;
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, notes };
}
