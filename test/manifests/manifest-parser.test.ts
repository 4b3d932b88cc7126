import fc from 'fast-check';
import * as yaml from 'js-yaml';
import { jsonItemOffsets } from '../../lib/manifests/item-offsets';
import { DEFAULT_PARSE_LIMITS, ManifestError, ManifestObject, ParseLimits } from '../../lib/manifests/manifest-objects';
import { parseManifests } from '../../lib/manifests/manifest-parser';
import { checkAliasExpansion } from '../../lib/manifests/yaml-decoder';
import { splitYamlStream } from '../../lib/manifests/yaml-splitter';

interface Parsed {
  objects: ManifestObject[];
  errors: ManifestError[];
}

function parse(text: string, name = 'in.yaml', limits?: ParseLimits): Parsed {
  const objects: ManifestObject[] = [];
  const errors: ManifestError[] = [];
  parseManifests({ name, uri: name, text }, { object: o => objects.push(o), error: e => errors.push(e) }, limits);
  return { objects, errors };
}

/** Documents as splitYamlStream + js-yaml `load` of each slice see them. */
function splitAndLoad(text: string): unknown[] {
  const begin = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  return splitYamlStream(text, begin).map(d => (d.empty ? null : yaml.load(text.slice(d.start, d.end))));
}

describe('splitYamlStream', () => {
  test.each([
    ['bare then explicit', 'a: 1\n---\nb: 2\n'],
    ['Helm output with empty documents', '---\n# Source: x\n---\n# Source: y\napiVersion: v1\nkind: Pod\n---\n'],
    ['directives and document end markers', '# c\n%YAML 1.2\n---\na: 1\n...\n%YAML 1.2\n---\nb: 2\n...\n# trailing\n'],
    ['bare document after ...', 'a: 1\n...\nb: 2\n'],
    ['CRLF and BOM', '\ufeff---\r\na: 1\r\n---\r\nb: 2\r\n'],
    ['content on the marker line', '--- |\n  text\n--- {a: 1}\n---\n'],
    ['empty stream', ''],
    ['comments only', '# only\n\n# comments\n'],
    ['--- inside an indented block scalar', 'a: |\n  x\n  ---\n---\nb: 1'],
    ['dashes that are not markers', 'a: "---x"\nb: ----\nc: ---\n---\nd: ...x\n'],
    ['marker at the very end', 'a: 1\n---'],
    ['marker followed by a comment', '--- # first\na: 1\n--- # second\n'],
  ])('%s: the same documents as js-yaml loadAll', (_name, text) => {
    expect(splitAndLoad(text)).toEqual(yaml.loadAll(text));
  });

  test('first content lines skip markers, comments and blank lines', () => {
    const text = '---\n# Source: a\n\napiVersion: v1\n---\n---\n  # indented comment\nkind: Pod\n';
    const docs = splitYamlStream(text);
    expect(docs.map(d => [d.line, d.empty])).toEqual([[4, false], [5, true], [8, false]]);
  });

  test('property: agrees with js-yaml loadAll on generated streams', () => {
    const scalar = fc.constantFrom('a', 'b: 1', 'c: [1, 2]', '- x\n- y', 'd: |\n  text\n  more', 'e: "---"', 'f: >\n  folded', '{g: 1}', '"str"', '42');
    const filler = fc.constantFrom('', '# comment', '  # indented', '\n');
    const doc = fc.record({
      marker: fc.constantFrom('---', '--- ', '--- # c', ''),
      before: fc.array(filler, { maxLength: 2 }),
      body: fc.option(scalar, { nil: undefined }),
      end: fc.constantFrom('', '...'),
      crlf: fc.boolean(),
    });
    fc.assert(fc.property(fc.array(doc, { maxLength: 6 }), fc.boolean(), (docs, crlf) => {
      const lines: string[] = [];
      docs.forEach((d, i) => {
        // a bare document needs a marker unless it is first or follows `...`
        const needsMarker = i > 0 && docs[i - 1].end === '';
        const marker = d.marker === '' && needsMarker ? '---' : d.marker;
        if (marker) lines.push(marker);
        lines.push(...d.before);
        if (d.body !== undefined) lines.push(d.body);
        if (d.end) lines.push(d.end);
      });
      let text = lines.join('\n') + '\n';
      if (crlf) text = text.replace(/\n/g, '\r\n');
      let expected: unknown;
      try {
        expected = yaml.loadAll(text);
      } catch {
        return; // js-yaml rejects the stream as a whole: nothing to compare
      }
      expect(splitAndLoad(text)).toEqual(expected);
    }), { numRuns: 300 });
  });
});

describe('parseManifests', () => {
  test('property: batched parsing yields loadAll\'s documents, mappings as objects and scalars as errors, in order', () => {
    const body = fc.oneof(
      fc.constantFrom('kind: Pod\nmetadata: {name: a}', 'kind: Service', 'a: &x [1]\nb: *x', 'just text', '42', '', '# only a comment'),
      fc.integer({ min: 0, max: 999 }).map(i => `kind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  k: "v"`),
    );
    fc.assert(fc.property(fc.array(body, { minLength: 0, maxLength: 150 }), bodies => {
      const text = bodies.map(b => `---\n${b}\n`).join('');
      const expected = yaml.loadAll(text, { schema: yaml.YAML11_SCHEMA });
      const { objects, errors } = parse(text);
      const objectIndexes = expected.flatMap((v, i) => (v !== null && typeof v === 'object' ? [i] : []));
      const scalarIndexes = expected.flatMap((v, i) => (v !== null && typeof v !== 'object' ? [i] : []));
      expect(objects.map(o => o.index)).toEqual(objectIndexes);
      expect(objects.map(o => o.object)).toEqual(objectIndexes.map(i => expected[i]));
      expect(errors.map(e => e.index)).toEqual(scalarIndexes);
    }), { numRuns: 50 });
  });

  test('multi-document YAML: index counts every document, line is the first content line', () => {
    const text = '# header\n---\napiVersion: v1\nkind: A\n---\n---\n# Source: x\nkind: B\n---\nkind: C\n';
    const { objects, errors } = parse(text);
    expect(errors).toEqual([]);
    expect(objects.map(o => [o.index, (o.object as any).kind, o.line])).toEqual([[0, 'A', 3], [2, 'B', 8], [3, 'C', 10]]);
  });

  test('YAML 1.1 scalars, as kubectl reads them: yes/on are true, 0644 is octal', () => {
    const { objects } = parse('privileged: yes\nhostNetwork: on\nallow: no\nmode: 0644\nport: "8080"\n');
    expect(objects[0].object).toEqual({ privileged: true, hostNetwork: true, allow: false, mode: 420, port: '8080' });
  });

  test('merge keys', () => {
    const { objects } = parse('base: &b {runAsNonRoot: true}\nsc:\n  <<: *b\n  runAsUser: 1\n');
    expect((objects[0].object as any).sc).toEqual({ runAsNonRoot: true, runAsUser: 1 });
  });

  test('a bad document costs only itself', () => {
    const text = 'kind: A\n---\nkind: [\n---\nkind: C\n';
    const { objects, errors } = parse(text);
    expect(objects.map(o => (o.object as any).kind)).toEqual(['A', 'C']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ index: 1, line: 4 });
    expect(errors[0].message).toMatch(/^document 1: invalid YAML: /);
  });

  test('duplicate keys: the last wins, as kubectl sends it, and the key is reported as a difference', () => {
    const { objects, errors } = parse('kind: Pod\nspec:\n  hostNetwork: false\n  hostNetwork: true\n');
    expect(errors).toEqual([]);
    expect((objects[0].object as any).spec.hostNetwork).toBe(true);
    expect(objects[0].differences).toEqual([expect.objectContaining({ kind: 'duplicate', paths: [['spec', 'hostNetwork']], line: 4 })]);
  });

  test('a document that is not a mapping is an error', () => {
    const { objects, errors } = parse('kind: A\n---\njust a string\n---\n42\n');
    expect(objects).toHaveLength(1);
    expect(errors.map(e => [e.index, e.line])).toEqual([[1, 3], [2, 5]]);
    expect(errors[0].message).toMatch(/not a Kubernetes object/);
  });

  test('kind: List in YAML: each item is an object with its own line', () => {
    const text = '---\n# c\napiVersion: v1\nkind: List\nmetadata: {}\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- &x\n  kind: Pod\n  metadata:\n    name: b\n-   kind: ConfigMap\n';
    const { objects, errors } = parse(text);
    expect(errors).toEqual([]);
    expect(objects.map(o => [o.index, o.item, (o.object as any).kind, o.line])).toEqual([[0, 0, 'Pod', 7], [0, 1, 'Pod', 10], [0, 2, 'ConfigMap', 14]]);
  });

  test('kind: List with indented items and a PodList kind', () => {
    const text = 'kind: PodList\napiVersion: v1\nitems:\n  - kind: Pod\n    metadata: {name: a}\n\n  - kind: Pod\n';
    expect(parse(text).objects.map(o => o.line)).toEqual([4, 7]);
  });

  test('a List without items is empty; a List item that is not an object is an error', () => {
    expect(parse('kind: List\nitems: null\n').objects).toEqual([]);
    const { objects, errors } = parse('kind: List\nitems:\n- kind: Pod\n- 3\n');
    expect(objects).toHaveLength(1);
    expect(errors[0].message).toMatch(/items\[1\] is not a Kubernetes object/);
    expect(errors[0].line).toBe(4);
  });

  test('JSON List (kubectl -o json): items with their lines', () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Pod', metadata: { name: 'a"\\"' } }, { kind: 'Pod', a: [1, { b: '[' }] }, { kind: 'X' }] }, null, 4);
    const { objects } = parse(text, 'l.json');
    const lines = text.split('\n');
    expect(objects.map(o => o.item)).toEqual([0, 1, 2]);
    for (const o of objects) expect(lines[o.line - 1].trim()).toBe('{');
    expect(objects.map(o => o.line)).toEqual([5, 11, 20]);
  });

  test('JSON array of objects and compact JSON', () => {
    expect(parse('[\n {"kind":"A"},\n\n {"kind":"B"}]', 'a.json').objects.map(o => o.line)).toEqual([2, 4]);
    expect(parse('{"kind":"List","items":[{"kind":"A"},{"kind":"B"}]}', 'a.json').objects.map(o => o.line)).toEqual([1, 1]);
  });

  test('jsonItemOffsets skips brackets and escaped quotes inside strings', () => {
    const text = '{"items": [{"a": "]\\\\", "b": "\\"["}, [1], "x", 2], "kind": "List"}';
    const offsets = jsonItemOffsets(text, 0)!;
    expect(offsets.map(i => text[i])).toEqual(['{', '[', '"', '2']);
  });

  test('invalid JSON in a .json file: JSON error with its line', () => {
    const { objects, errors } = parse('{\n  "kind": "Pod",\n  "spec": {,}\n}\n', 'bad.json');
    expect(objects).toEqual([]);
    expect(errors[0].message).toMatch(/^invalid JSON: /);
    expect(errors[0].line).toBe(3);
  });

  test('YAML flow mapping that starts with { falls back to YAML', () => {
    expect(parse('{kind: Pod, metadata: {name: a}}\n').objects.map(o => (o.object as any).metadata.name)).toEqual(['a']);
  });

  test('BOM and CRLF', () => {
    const { objects } = parse('\ufeffkind: A\r\n---\r\nkind: B\r\nmetadata:\r\n  name: b\r\n');
    expect(objects.map(o => [(o.object as any).kind, o.line])).toEqual([['A', 1], ['B', 3]]);
    expect((objects[1].object as any).metadata.name).toBe('b');
    expect(parse('\ufeff{"kind": "A"}', 'a.json').objects).toHaveLength(1);
  });

  describe('hostile input', () => {
    test('billion laughs: rejected before anything walks it', () => {
      const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i < 9; i++) {
        const prev = String.fromCharCode(96 + i);
        const cur = String.fromCharCode(97 + i);
        levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
      }
      const start = Date.now();
      const { objects, errors } = parse(`kind: Pod\n---\n${levels.join('\n')}\n---\nkind: C\n`);
      expect(Date.now() - start).toBeLessThan(2000);
      expect(objects.map(o => (o.object as any).kind)).toEqual(['Pod', 'C']);
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(/alias bomb/);
    });

    test('more aliases than the limit', () => {
      const text = `a: &a x\nb: [${Array(DEFAULT_PARSE_LIMITS.maxAliases + 1).fill('*a').join(',')}]\n`;
      const { errors } = parse(text);
      expect(errors[0].message).toMatch(/maxAliases/);
    });

    test('a recursive alias (cycle)', () => {
      const { errors } = parse('a: &a\n  b: *a\n');
      expect(errors[0].message).toMatch(/cycle/);
    });

    test('checkAliasExpansion counts shared subtrees as copies', () => {
      const leaf = { x: 1 };
      const shared = [leaf, leaf, leaf];
      expect(checkAliasExpansion({ a: shared, b: shared }, 100)).toBeUndefined();
      expect(checkAliasExpansion({ a: shared, b: shared }, 5)).toMatch(/more than 5 nodes/);
    });

    test('deep nesting: an error for that document only', () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      const { objects, errors } = parse(`kind: A\n---\nx: ${deep}\n---\nkind: B\n`);
      expect(objects.map(o => (o.object as any).kind)).toEqual(['A', 'B']);
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(/^document 1: invalid YAML: nesting exceeded maxDepth/);
    });

    test('deep block nesting beyond the default', () => {
      let text = 'kind: A\nx:\n';
      for (let i = 1; i < 2000; i++) text += ' '.repeat(i) + 'y:\n';
      expect(parse(text).errors[0].message).toMatch(/maxDepth/);
    });
  });
});
