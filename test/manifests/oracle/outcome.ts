/**
 * The kubectl oracle: what `kubectl apply -f` would send for a file, read offline with
 * `kubectl label --local -f DIR rootless.oracle/x=1 -o json` (kubectl reads and converts every
 * document as apply does, adds the label, prints the objects), and the same outcome from the
 * library's reader, in one comparable form.
 *
 * An outcome is the objects of a file, in order, up to kubectl's first error in that file, and
 * whether there was an error (kubectl stops reading a file at its first error; the library's
 * reader goes on and reports more, which is compared only up to the first error).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestObject } from '../../../lib/manifests/manifest-objects';
import { parseManifests } from '../../../lib/manifests/manifest-parser';

export const ORACLE_LABEL = 'rootless.oracle/x';

/** What a file yields: its objects as canonical JSON texts, and kubectl's error (or the reader's first error). */
export interface Outcome {
  readonly objects: string[];
  readonly error?: string;
}

/** One input file. Generated cases name every object `<case>-...` so that kubectl's output maps back to them. */
export interface OracleCase {
  readonly name: string;
  readonly text: string;
}

/** JSON with sorted keys (kubectl sorts; -0 prints as 0 in both). */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x !== null && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.keys(x).sort().map(k => [k, (x as Record<string, unknown>)[k]]))
    : x));
}

/** The reader's outcome for a text: the objects up to the first error, with the label kubectl adds. */
export function readerOutcome(c: OracleCase): Outcome {
  const events: Array<{ o?: ManifestObject; e?: string }> = [];
  parseManifests({ name: c.name, uri: c.name, text: c.text }, { object: o => events.push({ o }), error: e => events.push({ e: e.message }) });
  const objects: string[] = [];
  for (const ev of events) {
    if (ev.e !== undefined) return { objects, error: ev.e };
    objects.push(canonical(labelled(ev.o!.object)));
  }
  return { objects };
}

function labelled(obj: Record<string, unknown>): unknown {
  const copy = JSON.parse(JSON.stringify(obj));
  copy.metadata ??= {};
  copy.metadata.labels ??= {};
  copy.metadata.labels[ORACLE_LABEL] = '1';
  return copy;
}

/** The kubectl on PATH and its version (`v1.32.4`), or undefined. */
export function kubectlVersion(): string | undefined {
  const r = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  try {
    return JSON.parse(r.stdout).clientVersion.gitVersion.replace(/-.*$/, '');
  } catch {
    return undefined;
  }
}

/** Whether version `have` is at least the minor of `want` (`v1.32.4` >= `v1.32.0`). */
export function atLeastMinor(have: string, want: string): boolean {
  const [a, b] = [have, want].map(v => v.replace(/^v/, '').split('.').map(Number));
  return a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);
}

/**
 * kubectl's outcome for each case. `named`: every object of a case has a metadata.name starting
 * with the case's name and a dash, so one kubectl call reads them all; otherwise one call per case.
 */
export async function kubectlOutcomes(cases: readonly OracleCase[], named: boolean): Promise<Map<string, Outcome>> {
  if (named) return kubectlRun(cases);
  // one call per case, four at a time
  const out = new Map<string, Outcome>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++];
      out.set(c.name, (await kubectlRun([c])).get(c.name) ?? { objects: [] });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', () => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

async function kubectlRun(cases: readonly OracleCase[]): Promise<Map<string, Outcome>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rootless-oracle-'));
  try {
    const fileOf = new Map<string, string>();
    cases.forEach((c, i) => {
      const file = `${String(i).padStart(5, '0')}.yaml`;
      fs.writeFileSync(path.join(dir, file), c.text);
      fileOf.set(file, c.name);
    });
    const r = await run(['label', '--local', '-f', dir, `${ORACLE_LABEL}=1`, '--overwrite', '-o', 'json']);
    const objects = parseJsonStream(r.stdout);
    const result = new Map<string, { objects: string[]; error?: string }>();
    for (const c of cases) result.set(c.name, { objects: [] });
    if (cases.length === 1) {
      result.get(cases[0].name)!.objects.push(...objects.map(canonical));
    } else {
      for (const o of objects) {
        const name = String((o as any)?.metadata?.name ?? '');
        const c = cases.find(k => name.startsWith(`${k.name}-`));
        if (c === undefined) throw new Error(`kubectl printed an object no case names: ${name}`);
        result.get(c.name)!.objects.push(canonical(o));
      }
    }
    for (const line of r.stderr.split('\n')) {
      const m = /(\d{5}\.yaml)"?: (.*)$/.exec(line);
      if (m === null) continue;
      const name = fileOf.get(m[1]);
      if (name !== undefined) result.get(name)!.error ??= m[2];
    }
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Concatenated JSON values (kubectl prints one per object). */
function parseJsonStream(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {inString = true;} else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) {
      values.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return values;
}

/** Outcomes equal: the same objects, and an error on both sides or on neither. */
export function sameOutcome(a: Outcome, b: Outcome): boolean {
  if ((a.error === undefined) !== (b.error === undefined)) return false;
  return a.objects.length === b.objects.length && a.objects.every((o, i) => o === b.objects[i]);
}

/** For messages: the kubectl command the oracle runs. */
export const ORACLE_COMMAND = `kubectl label --local -f DIR ${ORACLE_LABEL}=1 --overwrite -o json`;

