/**
 * Lines of the fields a finding is about, so that SARIF results (GitHub code scanning
 * annotations) point at the offending field rather than at the start of the document.
 *
 * Computed only for objects with findings, from the object's own text (a YAML document or a
 * JSON List item: JSON is read by the same event parser), with js-yaml's event parser: a map
 * from field paths (`spec.containers[0].securityContext.privileged`) to the line of the key.
 *
 * Which field: the violation names its containers; its detail names the fields as upstream
 * PodSecurity prints them (`securityContext.allowPrivilegeEscalation=false`, `hostNetwork=true`,
 * `runAsUser=0`). The deepest of those paths that exists in the object is the line; else the
 * container, else the pod spec's `securityContext`, else the object's first line.
 */
import * as yaml from 'js-yaml';
import type { ObjectText } from './report';
import { nodeStart } from '../../manifests/item-offsets';
import { CONTAINER_LISTS, podTemplatePath } from '../../policy/k8s-shapes';
import type { Violation } from '../../policy/types';

/** Field paths of one object and the lines where they start. */
export class FieldLines {
  private paths: Map<string, number> | undefined | null = undefined;

  constructor(private readonly text: ObjectText, private readonly kind: unknown) {}

  /** The line of the field `violation` is about, or undefined when the object cannot be read again. */
  public lineOf(violation: Pick<Violation, 'containers' | 'detail' | 'podLevel'>): number | undefined {
    const paths = this.load();
    if (paths === undefined) return undefined;
    const template = podTemplatePath(this.kind);
    const root = this.text.path === '' ? '' : `${this.text.path}.`;
    const spec = root + (template === undefined ? 'spec' : [...template, 'spec'].join('.'));
    const tokens = violation.detail.match(/[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*/g) ?? [];
    const bases: string[] = [];
    for (const name of violation.containers ?? []) {
      for (const list of CONTAINER_LISTS) {
        const at = paths.get(`#${spec}.${list}:${name}`);
        if (at !== undefined) bases.push(`${spec}.${list}[${at}]`);
      }
    }
    if (violation.podLevel || bases.length === 0) bases.push(spec);
    for (const base of bases) {
      let best: number | undefined;
      let bestDepth = -1;
      for (const token of tokens) {
        for (const path of [token, `securityContext.${token}`]) {
          const parts = path.split('.');
          for (let n = parts.length; n > 0; n--) {
            const line = paths.get(`${base}.${parts.slice(0, n).join('.')}`);
            if (line !== undefined) {
              if (n > bestDepth) {
                best = line;
                bestDepth = n;
              }
              break;
            }
          }
        }
      }
      if (best !== undefined) return best;
    }
    return paths.get(bases[0]) ?? paths.get(`${spec}.securityContext`) ?? paths.get(spec);
  }

  private load(): Map<string, number> | undefined {
    if (this.paths === undefined) {
      try {
        this.paths = fieldPaths(this.text);
      } catch {
        this.paths = null; // positions are a convenience: the object's line stays
      }
    }
    return this.paths ?? undefined;
  }
}

/**
 * Every mapping key's path → its line, every sequence element's path → its line, and for
 * containers `#<list path>:<name>` → the container's index.
 */
function fieldPaths(t: ObjectText): Map<string, number> {
  const text = t.start === 0 && t.end === t.text.length ? t.text : t.text.slice(t.start, t.end);
  const E = yaml.EVENT_ID;
  const events = yaml.parseEvents(text, { maxDepth: 1000 });
  const out = new Map<string, number>();
  interface Frame { readonly kind: number; readonly path: string; children: number; key: string | undefined }
  const stack: Frame[] = [];
  let line = t.line;
  let pos = 0;
  const lineAt = (offset: number): number => {
    for (let nl = text.indexOf('\n', pos); nl !== -1 && nl < offset; nl = text.indexOf('\n', pos)) {
      line++;
      pos = nl + 1;
    }
    return line;
  };
  for (const ev of events) {
    if (ev.type === E.POP) {
      stack.pop();
      continue;
    }
    if (ev.type === E.DOCUMENT) {
      stack.push({ kind: E.DOCUMENT, path: '', children: 0, key: undefined });
      continue;
    }
    const parent = stack[stack.length - 1];
    if (parent === undefined) break;
    let path: string | undefined;
    if (parent.kind === E.DOCUMENT) {
      path = '';
      if (ev.type === E.SEQUENCE) path = ''; // a root array: its elements are `[i]`
    } else if (parent.kind === E.SEQUENCE) {
      path = `${parent.path}[${parent.children}]`;
      out.set(path, lineAt(nodeStart(ev)));
    } else if (parent.kind === E.MAPPING) {
      if (parent.children % 2 === 0) {
        parent.key = ev.type === E.SCALAR ? yaml.getScalarValue(text, ev) : undefined;
        if (parent.key !== undefined) out.set(parent.path === '' ? parent.key : `${parent.path}.${parent.key}`, lineAt(nodeStart(ev)));
      } else if (parent.key !== undefined) {
        path = parent.path === '' ? parent.key : `${parent.path}.${parent.key}`;
        // a container's name: remember its index in its list
        if (parent.key === 'name' && ev.type === E.SCALAR) {
          const m = /^(.*)\[(\d+)\]$/.exec(parent.path);
          if (m && CONTAINER_LISTS.some(l => m[1].endsWith(`.${l}`))) out.set(`#${m[1]}:${yaml.getScalarValue(text, ev)}`, Number(m[2]));
        }
      }
    }
    parent.children++;
    if (ev.type === E.MAPPING || ev.type === E.SEQUENCE) stack.push({ kind: ev.type, path: path ?? '\u0000', children: 0, key: undefined });
  }
  return out;
}
