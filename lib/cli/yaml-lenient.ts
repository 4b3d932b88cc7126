/**
 * The second YAML reader, for documents js-yaml refuses but kubectl applies.
 *
 * kubectl reads YAML with go-yaml (YAML 1.1 for scalars, merge keys) and accepts some layouts
 * js-yaml rejects, e.g. a flow sequence whose closing `]` stands at its key's indentation:
 *
 *     args: [
 *       "-config", "/run/spire/config/agent.conf"
 *     ]
 *
 * What kubectl applies must be audited, so a document js-yaml refuses is read again with the
 * `yaml` package (the reader `harden` edits with) in YAML 1.1 mode, with the scalar types
 * Kubernetes uses (booleans `yes`/`no`/`on`/`off`, octal `0644`, merge keys `<<`; timestamps
 * and binary stay strings, as go-yaml gives them to sigs.k8s.io/yaml). Duplicate keys stay
 * errors (go-yaml refuses them too). Only when both readers fail is the document an error.
 * Warnings (e.g. "Keys with collection values will be stringified" on Helm templates) are not
 * printed: the document is either read or reported as an error.
 */
import type * as Yaml from 'yaml';
import { yaml } from './lazy';

/** Tags of the `yaml-1.1` schema that go-yaml does not turn into values of their own for kubectl. */
const NOT_KUBERNETES_TAGS = new Set(['tag:yaml.org,2002:timestamp', 'tag:yaml.org,2002:binary', 'tag:yaml.org,2002:set', 'tag:yaml.org,2002:omap', 'tag:yaml.org,2002:pairs']);

/** Limits of the lenient reader (the same as js-yaml's, see `ParseLimits`). */
export interface LenientLimits {
  readonly maxAliases: number;
}

/**
 * Reads every document of `text` with the `yaml` package in YAML 1.1 mode. Throws an `Error`
 * (with the 1-based `line` relative to `text` when known) when a document has an error.
 */
export function parseYamlLenient(text: string, limits: LenientLimits): unknown[] {
  const y = yaml();
  const options: Yaml.ParseOptions & Yaml.DocumentOptions & Yaml.SchemaOptions = {
    version: '1.1',
    merge: true,
    logLevel: 'error',
    prettyErrors: false,
    customTags: (tags: Yaml.Tags) => tags.filter(t => !(typeof t === 'object' && 'tag' in t && NOT_KUBERNETES_TAGS.has(t.tag))),
  };
  const docs = y.parseAllDocuments(text, options);
  const list = Array.isArray(docs) ? docs : [docs];
  const values: unknown[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const line = error.linePos?.[0]?.line;
      throw Object.assign(new Error(error.message.split('\n')[0]), { line });
    }
    values.push(doc.toJS({ maxAliasCount: limits.maxAliases }));
  }
  return values;
}
