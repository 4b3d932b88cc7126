/**
 * docs/architecture.md and the module headers of lib/ describe the code as built: every repository path
 * and every code identifier they name in a code span must exist. A renamed function, a moved file or a
 * removed class makes this suite fail and name the span, so the page cannot drift silently.
 *
 * What counts:
 * - a **path** is a code span that starts with a folder of the repository (`lib/`, `test/`, `docs/`, …) or
 *   names a file with an extension (`.ts`, `.md`, `.json`, …); it must exist (a `*` matches within a
 *   segment, a trailing `/` names a folder, `:N` line suffixes are ignored);
 * - an **identifier** is a code span of one name or dotted names, optionally called (`judge`,
 *   `Hardening.applySpread`, `PodSecurity.evaluate(manifest, …)` reads as `PodSecurity.evaluate`); each of its
 *   names must be a word of the library's sources, of the public type declarations of cdk8s, every cdk8s-plus line
 *   and constructs, or of the Kubernetes schema table (field names such as `hostPID`).
 * Everything else in a code span (YAML, values, commands) is prose and is not checked.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const PATH_ROOTS = ['lib/', 'test/', 'docs/', 'bench/', 'examples/', 'scripts/', '.ci/', 'packages/', '.projenrc.ts'];
const FILE_EXT = /\.(ts|js|mjs|md|json|snap|yaml|yml)$/;

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'node_modules' && e.name !== '.git') walk(p, out); } else {out.push(p);}
  }
  return out;
}

/** The library's TypeScript sources (not the compiled output). */
const libSources = walk(path.join(ROOT, 'lib')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));

/**
 * Names of upstream Go code that the comments cite as the behaviour they follow, with where each lives. They
 * exist outside this repository, so they are listed here; a name that is in neither this list nor the code fails.
 */
const UPSTREAM: Record<string, string> = {
  PolicyToEvaluate: 'k8s.io/pod-security-admission/admission (the namespace policy evaluated for a pod)',
  YAMLToJSON: 'sigs.k8s.io/yaml (kubectl\'s YAML to JSON conversion)',
  validateScheduleFormat: 'k8s.io/kubernetes/pkg/apis/batch/validation (CronJob schedule)',
  validateTimeZone: 'k8s.io/kubernetes/pkg/apis/batch/validation (CronJob time zone)',
  ParseStandard: 'github.com/robfig/cron/v3 (`cron.ParseStandard`)',
  LoadLocation: 'Go standard library `time.LoadLocation`',
  time: 'Go standard library package `time`',
  cron: 'github.com/robfig/cron/v3 package `cron`',
};

const trackedFiles: string[] = walk(ROOT)
  .map((f) => path.relative(ROOT, f))
  .filter((f) => !f.startsWith('node_modules') && !f.startsWith('.git/') && !f.startsWith('dist/'));

/** Every word that names something the code spans may refer to. */
const knownWords: Set<string> = (() => {
  const words = new Set<string>();
  const add = (text: string) => { for (const w of text.match(/[A-Za-z_$][\w$]*/g) ?? []) words.add(w); };
  // the code of a source, comments left out (a comment naming a removed function must not vouch for it)
  const addCode = (text: string) => {
    const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
    for (let t = scanner.scan(); t !== ts.SyntaxKind.EndOfFileToken; t = scanner.scan()) add(scanner.getTokenText());
  };
  for (const f of libSources) addCode(fs.readFileSync(f, 'utf8'));
  // the tests, benchmarks and project definition (environment variables, helpers the docs cite)
  for (const dir of ['test', 'bench']) for (const f of walk(path.join(ROOT, dir))) if (/\.(ts|js)$/.test(f) && !f.includes('/corpus/') && f !== __filename) addCode(fs.readFileSync(f, 'utf8'));
  addCode(fs.readFileSync(path.join(ROOT, '.projenrc.ts'), 'utf8'));
  // the public declarations of the libraries the code builds on (for projen: the project types .projenrc.ts uses)
  const lines: number[] = JSON.parse(fs.readFileSync(path.join(ROOT, 'packages', 'lines', 'lines.json'), 'utf8')).lines.map((l: { line: number }) => l.line);
  for (const pkg of ['cdk8s/lib', ...lines.map(l => `cdk8s-plus-${l}/lib`), 'constructs/lib', 'projen/lib/cdk8s', 'projen/lib/cdk', 'projen/lib/javascript', 'projen/lib/typescript']) {
    const dir = path.join(ROOT, 'node_modules', pkg);
    if (fs.existsSync(dir)) for (const f of walk(dir)) if (f.endsWith('.d.ts')) add(fs.readFileSync(f, 'utf8'));
  }
  for (const w of Object.keys(UPSTREAM)) words.add(w);
  return words;
})();

function globToRegExp(p: string): RegExp {
  return new RegExp('^' + p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
}


/** Whether a repository path named in a span exists (file or folder, `*` within a segment). */
/** Build outputs the docs name, that a clean checkout has not built yet, with the step that writes each. */
const BUILT: Record<string, string> = {
  'lib/cli/bundle.js': 'packages/cli/bin-bundle.js (run by `compile`)',
};

function pathExists(span: string): boolean {
  if (BUILT[span]) return true;
  // compiled output of a source: lib/x.js and lib/x.d.ts exist once jsii has run if lib/x.ts exists
  const compiled = /^(lib\/.*)\.(js|d\.ts)$/.exec(span);
  if (compiled && fs.existsSync(path.join(ROOT, compiled[1] + '.ts'))) return true;
  const p = span.replace(/:\d+(-\d+)?$/, '').replace(/\/$/, '').replace(/<[^>]+>/g, '*');
  if (!p.includes('*')) return fs.existsSync(path.join(ROOT, p));
  const re = globToRegExp(p);
  const reDir = new RegExp(re.source.slice(0, -1) + '/');
  return trackedFiles.some((f) => re.test(f) || reDir.test(f));
}

type Finding = { span: string; why: string };

/** The problems of the code spans of `text`. */
function check(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const m of text.matchAll(/`([^`\n]+)`/g)) {
    const span = m[1].trim();
    if (PATH_ROOTS.some((r) => span.startsWith(r))) {
      if (/\s/.test(span)) continue; // a command line, not a path
      if (!pathExists(span)) findings.push({ span, why: 'no such file or folder' });
      continue;
    }
    if (FILE_EXT.test(span) && /^[\w./<>*-]+$/.test(span) && span.includes('/')) {
      // a path relative to the folder the text is about (`adopt/pod.ts`, `../ids.ts`): the end of some file's path
      const rel = span.replace(/^(\.\.?\/)+/, '').replace(/<[^>]+>/g, '*');
      const re = new RegExp('(^|/)' + globToRegExp(rel).source.slice(1));
      if (!trackedFiles.some((f) => re.test(f))) findings.push({ span, why: 'no file ends with this path' });
      continue;
    }
    const id = /^(new\s+)?([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(\(.*\))?$/.exec(span);
    if (!id) continue;
    const names = id[2].split('.');
    // one lowercase word with no call is usually prose or a value (`true`, `restricted`); check names that look like code
    const looksLikeCode = names.length > 1 || id[3] !== undefined || /[A-Z_]/.test(names[0].slice(1)) || /^[A-Z]/.test(names[0]);
    if (!looksLikeCode) continue;
    for (const n of names) {
      if (!knownWords.has(n)) findings.push({ span, why: `\`${n}\` is not a name in lib/ nor in cdk8s, a cdk8s-plus line of packages/lines/lines.json or constructs` });
    }
  }
  return findings;
}

test('docs/architecture.md names only paths and identifiers that exist', () => {
  const text = fs.readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');
  expect(check(text)).toEqual([]);
});

test('the module headers of lib/ name only paths and identifiers that exist', () => {
  const findings: Array<Finding & { file: string }> = [];
  for (const f of libSources) {
    const header = /^\s*\/\*\*?([\s\S]*?)\*\//.exec(fs.readFileSync(f, 'utf8'));
    if (!header) continue;
    for (const x of check(header[1])) findings.push({ file: path.relative(ROOT, f), ...x });
  }
  expect(findings).toEqual([]);
});

test('the check itself finds a missing path, a missing identifier, and passes what exists', () => {
  expect(check('see `lib/no-such-file.ts` and `lib/policy/` and `lib/policy/checks/*.ts`').map((f) => f.span)).toEqual(['lib/no-such-file.ts']);
  expect(check('`verifyManifestThatNeverExisted` `PodSecurity.evaluate(manifest, { level })` `ApiObject.toJson()`').map((f) => f.span))
    .toEqual(['verifyManifestThatNeverExisted']);
  expect(check('`true` `restricted` `spread: true` `rootless.cdk8s.io/exemptions`')).toEqual([]);
});
