/**
 * Where the items of a `kind: List` document (or the elements of a top-level array) start in
 * its text, for the line of a List item in a report. Only computed when a report asks for an
 * item's line (see `ListPositions` in `manifest-objects.ts`).
 */
import * as yaml from 'js-yaml';
import type { ParseLimits } from './manifest-objects';

/**
 * Offsets where the items of a YAML List document start (`items:` in the root mapping),
 * or the elements of a root sequence, from js-yaml's event parser (exact, and only run
 * when a report needs an item's line).
 */
export function yamlItemOffsets(docText: string, docStart: number, limits: ParseLimits): number[] | undefined {
  const E = yaml.EVENT_ID;
  const events = yaml.parseEvents(docText, { maxDepth: limits.maxDepth });
  interface Frame { readonly kind: number; children: number; readonly items: boolean }
  const stack: Frame[] = [];
  const offsets: number[] = [];
  let lastKey: string | undefined;
  for (const ev of events) {
    if (ev.type === E.POP) {
      const frame = stack.pop();
      if (frame?.items) return offsets;
      continue;
    }
    if (ev.type === E.DOCUMENT) {
      stack.push({ kind: E.DOCUMENT, children: 0, items: false });
      continue;
    }
    const parent = stack[stack.length - 1];
    let items = false;
    if (parent === undefined) return undefined;
    if (parent.kind === E.DOCUMENT) {
      items = ev.type === E.SEQUENCE; // a root sequence: its elements are the items
    } else if (parent.items) {
      offsets.push(docStart + nodeStart(ev));
    } else if (stack.length === 2 && parent.kind === E.MAPPING) {
      if (parent.children % 2 === 0) {
        lastKey = ev.type === E.SCALAR ? yaml.getScalarValue(docText, ev) : undefined;
      } else {
        items = lastKey === 'items' && ev.type === E.SEQUENCE;
      }
    }
    parent.children++;
    if (ev.type === E.MAPPING || ev.type === E.SEQUENCE) stack.push({ kind: ev.type, children: 0, items });
  }
  return undefined;
}

/** Where a node's text starts: its anchor, tag or content, whichever comes first. */
export function nodeStart(ev: yaml.Event): number {
  let start = Number.MAX_SAFE_INTEGER;
  const consider = (x: number): void => {
    if (x !== -1 && x < start) start = x;
  };
  switch (ev.type) {
    case yaml.EVENT_ID.MAPPING:
    case yaml.EVENT_ID.SEQUENCE:
      consider(ev.anchorStart);
      consider(ev.tagStart);
      consider(ev.start);
      break;
    case yaml.EVENT_ID.SCALAR:
      consider(ev.anchorStart);
      consider(ev.tagStart);
      consider(ev.valueStart);
      break;
    case yaml.EVENT_ID.ALIAS:
      consider(ev.anchorStart);
      break;
    default:
      break;
  }
  return start === Number.MAX_SAFE_INTEGER ? 0 : start;
}

/**
 * Offsets where the elements of the JSON List's `items` array (or of a root array) start,
 * from a scan that skips strings and tracks nesting. `start` is the root value's offset.
 */
export function jsonItemOffsets(text: string, start: number): number[] | undefined {
  const offsets: number[] = [];
  const rootIsArray = text.charCodeAt(start) === 0x5b;
  const target = rootIsArray ? 1 : 2; // depth of the array whose elements we record
  let depth = 0;
  let inItems = rootIsArray;
  let expectElement = false; // after `[` or `,` of the items array
  let pendingKey: string | undefined; // last depth-1 string, a key candidate
  const n = text.length;
  let i = start;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    if (expectElement && c !== 0x5d /* ] */) {
      offsets.push(i);
      expectElement = false;
    }
    if (c === 0x22 /* " */) {
      let j = i + 1;
      for (;;) {
        j = text.indexOf('"', j);
        if (j === -1) return undefined;
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c /* \ */) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j++;
      }
      if (depth === 1 && !rootIsArray) pendingKey = text.slice(i + 1, j);
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (c === 0x5b && depth === 2 && !rootIsArray && pendingKey === 'items') inItems = true;
      if (inItems && depth === target && c === 0x5b) expectElement = true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (inItems && depth === target) return offsets;
      depth--;
    } else if (c === 0x2c /* , */) {
      if (inItems && depth === target) expectElement = true;
      if (depth === 1) pendingKey = undefined;
    }
    i++;
  }
  return undefined;
}
