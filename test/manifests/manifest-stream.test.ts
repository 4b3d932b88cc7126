import * as fc from 'fast-check';
import { ManifestError, ManifestObject } from '../../lib/manifests/manifest-objects';
import { ManifestStreamParser } from '../../lib/manifests/manifest-stream';

interface Read {
  readonly objects: ManifestObject[];
  readonly errors: ManifestError[];
}

/** Feeds `text` in the given chunk sizes (cycled) and collects what the parser reports. */
function stream(text: string, chunkSizes: readonly number[] = [text.length || 1], name = 'in.json', maxBytes = 2 ** 30): Read {
  const objects: ManifestObject[] = [];
  const errors: ManifestError[] = [];
  const parser = new ManifestStreamParser({ name, uri: name }, { object: o => objects.push(o), error: e => errors.push(e) }, { maxBytes });
  let at = 0;
  let k = 0;
  while (at < text.length) {
    const size = Math.max(1, chunkSizes[k++ % chunkSizes.length]);
    parser.write(text.slice(at, at + size));
    at += size;
  }
  parser.end();
  return { objects, errors };
}

/** Strings that stress a splitter: brackets, quotes, escapes, unicode, line separators. */
const nasty = fc.oneof(
  fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', '\n', '\u2028', '\u2029', 'é', '😀', 'a', ' ', '\t', '\u0000') }),
  fc.string({ unit: 'grapheme' }),
  fc.string(),
);
const jsonLeaf = fc.oneof(nasty, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const jsonTree = fc.letrec(tie => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, jsonLeaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(nasty, tie('value'), { maxKeys: 4 }),
})).value;
const item = fc.dictionary(nasty, jsonTree, { maxKeys: 5 }).map(o => ({ kind: 'ConfigMap', ...o }));
const indent = fc.constantFrom<string | number | undefined>(undefined, 0, 2, 4, '\t', ' ');
const chunks = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 });

/** The objects a List text holds, as JSON.parse reads them (the oracle). */
function expectSameItems(read: Read, items: unknown[]): void {
  expect(read.errors).toEqual([]);
  expect(read.objects.map(o => o.object)).toEqual(items);
  expect(read.objects.map(o => o.item)).toEqual(items.map((_, i) => i));
}

describe('JSON Lists read item by item: the same items as JSON.parse, for any text and any chunking', () => {
  test('property: kind List with items of nasty strings, at any indentation', () => {
    fc.assert(fc.property(fc.array(item, { maxLength: 6 }), indent, chunks, (items, space, sizes) => {
      const text = JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, space);
      expectSameItems(stream(text, sizes), JSON.parse(text).items);
    }), { numRuns: Number(process.env.FC_RUNS ?? 400) });
  });

  test('property: a root array, and kind first (items after it)', () => {
    fc.assert(fc.property(fc.array(item, { maxLength: 6 }), indent, chunks, (items, space, sizes) => {
      const array = JSON.stringify(items, null, space);
      expectSameItems(stream(array, sizes), JSON.parse(array));
      const podList = JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items }, null, space);
      expectSameItems(stream(podList, sizes), JSON.parse(podList).items);
    }), { numRuns: Number(process.env.FC_RUNS ?? 200) });
  });

  test('property: each item starts at the line reported for it', () => {
    fc.assert(fc.property(fc.array(item, { minLength: 1, maxLength: 5 }), fc.constantFrom(2, 4, '\t'), chunks, (items, space, sizes) => {
      const text = JSON.stringify({ apiVersion: 'v1', items, kind: 'List' }, null, space);
      const read = stream(text, sizes);
      const lines = text.split('\n');
      for (const o of read.objects) expect(lines[o.line - 1].trim()).toBe('{');
      // the item's own text is exactly its JSON
      for (const o of read.objects) expect(JSON.parse(o.source.text)).toEqual(o.object);
    }), { numRuns: Number(process.env.FC_RUNS ?? 200) });
  });

  test('property: a truncated List gives the complete items before the cut and one clear error', () => {
    fc.assert(fc.property(fc.array(item, { minLength: 1, maxLength: 5 }), indent, chunks, fc.nat(), (items, space, sizes, cutSeed) => {
      const text = JSON.stringify({ apiVersion: 'v1', items, kind: 'List' }, null, space);
      const cut = cutSeed % text.length; // strictly shorter
      const truncated = text.slice(0, cut);
      if (truncated.trim() === '') return;
      const read = stream(truncated, sizes);
      expect(read.errors).toHaveLength(1);
      expect(read.errors[0].message).toMatch(/truncated input|invalid JSON/);
      const got = read.objects.map(o => o.object);
      expect(got).toEqual(JSON.parse(text).items.slice(0, got.length));
    }), { numRuns: Number(process.env.FC_RUNS ?? 400) });
  });

  test('deep nesting inside an item (50,000 levels), and strings with every bracket', () => {
    const deepText = '{"kind": "ConfigMap", "data": ' + '[\n'.repeat(50_000) + '"]}{[\\"\\\\"' + '\n]'.repeat(50_000) + '}';
    const items = [{ kind: 'Pod', metadata: { name: 'a]b}c{d[e"f' } }, { kind: 'X', s: '\u2028\u2029😀\\' }];
    for (const text of [`{"items": [${deepText}, ${items.map(i => JSON.stringify(i, null, 4)).join(',')}], "kind": "List"}`, `[\n    ${deepText},\n    ${JSON.stringify(items[0])},${JSON.stringify(items[1])}]`]) {
      for (const sizes of [[7, 4096, 13], [text.length]]) {
        const read = stream(text, sizes);
        expect(read.errors).toEqual([]);
        expect(read.objects.map(o => o.object.kind)).toEqual(['ConfigMap', 'Pod', 'X']);
        let v: any = read.objects[0].object.data;
        let depth = 0;
        while (Array.isArray(v)) {
          v = v[0];
          depth++;
        }
        expect([depth, v]).toEqual([50_000, ']}{["\\']);
        expect(read.objects.slice(1).map(o => o.object)).toEqual(items);
      }
    }
  });

  test('an item that looks pretty-printed but is not: the exact scanner decides', () => {
    // the candidate `}` at the item's indentation is inside the item (a nested object closed at column 4)
    const text = '{"items": [\n    {\n    "a": {\n    },\n    "b": 1\n    },\n    {"kind": "Pod"}\n]}';
    expectSameItems(stream(text), [{ a: {}, b: 1 }, { kind: 'Pod' }]);
  });
});

describe('JSON bad input', () => {
  test('a List whose items is not an array', () => {
    const read = stream('{"apiVersion": "v1", "kind": "List", "items": {"kind": "Pod"}}');
    expect(read.objects).toEqual([]);
    expect(read.errors).toEqual([expect.objectContaining({ index: 0, message: expect.stringMatching(/^document 0 is a List whose items is not a list \(it is a mapping\)/) })]);
  });

  test('an item over --max-bytes is skipped without being kept; the others are read', () => {
    const big = { kind: 'ConfigMap', data: { x: 'y'.repeat(10_000) } };
    const text = JSON.stringify({ kind: 'List', items: [{ kind: 'A' }, big, { kind: 'B' }] }, null, 4);
    const read = stream(text, [100], 'in.json', 2048);
    expect(read.objects.map(o => o.object.kind)).toEqual(['A', 'B']);
    expect(read.errors).toEqual([expect.objectContaining({ line: 7, message: 'document 0 items[1] (line 7) is more than the limit of 2048 bytes (--max-bytes); skipped' })]);
  });

  test('a non-object item is an error naming it', () => {
    const read = stream('[{"kind": "A"}, 7, "x", null]');
    expect(read.objects).toHaveLength(1);
    expect(read.errors.map(e => e.message)).toEqual([
      'document 0 items[1] is not a Kubernetes object: it holds a number, not a mapping',
      'document 0 items[2] is not a Kubernetes object: it holds a string, not a mapping',
      'document 0 items[3] is not a Kubernetes object: it holds null, not a mapping',
    ]);
  });

  test('a single object, several root values (kubectl --watch), an empty List', () => {
    const read = stream('{"kind": "Pod", "metadata": {"name": "a"}}\n{"kind": "Pod", "metadata": {"name": "b"}}\n{"kind": "List", "items": []}\n');
    expect(read.errors).toEqual([]);
    expect(read.objects.map(o => [o.index, o.item, o.line, (o.object.metadata as any).name])).toEqual([[0, undefined, 1, 'a'], [1, undefined, 2, 'b']]);
  });

  test('a YAML flow mapping that starts with { is read as YAML (not a .json file)', () => {
    const read = stream('{kind: Pod, metadata: {name: flow}}\n', [5], 'flow.yaml');
    expect(read.errors).toEqual([]);
    expect(read.objects.map(o => o.object)).toEqual([{ kind: 'Pod', metadata: { name: 'flow' } }]);
  });
});

describe('multi-document YAML read document by document', () => {
  const doc = (i: number): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  s: "--- not a marker"\n`;

  test('property: any chunking gives the same documents, lines and indexes as the whole text', () => {
    const text = '# header\n' + Array.from({ length: 12 }, (_, i) => doc(i)).join('---\n') + '---\n---\n' + doc(99);
    fc.assert(fc.property(chunks, sizes => {
      const whole = stream(text, [text.length], 'a.yaml');
      const parts = stream(text, sizes, 'a.yaml');
      expect(parts.errors).toEqual(whole.errors);
      expect(parts.objects.map(o => [o.index, o.line, o.object])).toEqual(whole.objects.map(o => [o.index, o.line, o.object]));
      expect(whole.objects).toHaveLength(13);
      expect(whole.objects[12].index).toBe(13); // the empty document counts
    }), { numRuns: 100 });
  });

  test('a document over --max-bytes is skipped; the next ones are read with their own lines', () => {
    const big = `kind: ConfigMap\ndata:\n  x: "${'y'.repeat(5000)}"\n`;
    const text = `kind: A\n---\n${big}---\nkind: B\n`;
    for (const sizes of [[text.length], [64], [1000]]) {
      const read = stream(text, sizes, 'a.yaml', 2048);
      expect(read.objects.map(o => [o.index, o.line, o.object.kind])).toEqual([[0, 1, 'A'], [2, 7, 'B']]);
      expect(read.errors).toEqual([expect.objectContaining({ index: 1, line: expect.any(Number), message: expect.stringMatching(/^document 1 \(line \d\) is more than the limit of 2048 bytes/) })]);
    }
  });

  test('what kubectl applies and js-yaml refuses (a flow ] at its key\'s indentation) is read', () => {
    const text = 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  template:\n    spec:\n      hostPID: true\n'
      + '      containers:\n      - name: agent\n        args: [\n          "-config", "/run/agent.conf"\n        ]\n';
    const read = stream(text, [10], 'ds.yaml');
    expect(read.errors).toEqual([]);
    expect((read.objects[0].object as any).spec.template.spec).toEqual({ hostPID: true, containers: [{ name: 'agent', args: ['-config', '/run/agent.conf'] }] });
  });
});
