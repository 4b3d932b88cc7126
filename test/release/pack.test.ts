/**
 * The contents of the npm package, as `npm pack` would publish them (dry run: nothing written).
 *
 * Sources are compiled in place (lib/*.ts -> lib/*.js + lib/*.d.ts, see docs/architecture.md, "Build layout"),
 * so the package must ship the compiled output and the jsii assembly but none of the .ts sources,
 * tests, examples or benchmarks; the CLI's runtime dependencies are bundled.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const BUNDLED = ['commander', 'js-yaml', 'yaml', 'dockerfile-ast'];
const BINS = ['cdk8s-rootless', 'kubectl-rootless'];

interface PackResult {
  readonly name: string;
  readonly files: { readonly path: string; readonly mode: number; readonly size: number }[];
  readonly bundled: string[];
}

let pack: PackResult;
let files: Set<string>;

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js')) || !fs.existsSync(path.join(ROOT, '.jsii'))) {
    throw new Error('lib/index.js or .jsii is missing: compile first (`npx projen compile`; `npm test` does it).');
  }
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  pack = JSON.parse(out)[0];
  files = new Set(pack.files.map(f => f.path));
}, 60_000);

/** Our own files: everything but the bundled dependencies. */
function ownFiles(): string[] {
  return [...files].filter(f => !f.startsWith('node_modules/'));
}

/** lib/**\/*.ts sources (not declarations) in the work tree, relative to the root. */
function sources(dir = path.join(ROOT, 'lib')): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path.relative(ROOT, p).split(path.sep).join('/'));
  }
  return out;
}

test('the package is cdk8s-rootless', () => {
  expect(pack.name).toBe('cdk8s-rootless');
});

test('no TypeScript sources: only declarations', () => {
  const ts = ownFiles().filter(f => /\.(c|m)?tsx?$/.test(f) && !/\.d\.(c|m)?ts$/.test(f));
  expect(ts).toEqual([]);
});

/** lib/constructs/plus/: bound to a cdk8s-plus line, shipped in each line's package (packages/lines/), never in the core. */
const LINE_BOUND = /^lib\/constructs\/plus\//;

test('every source of the core is shipped compiled: its .js and .d.ts', () => {
  const srcs = sources().filter(s => !LINE_BOUND.test(s));
  expect(srcs.length).toBeGreaterThan(10);
  const missing = srcs.flatMap(s => [s.replace(/\.ts$/, '.js'), s.replace(/\.ts$/, '.d.ts')]).filter(f => !files.has(f));
  expect(missing).toEqual([]);
});

test('nothing bound to a cdk8s-plus line is in the core, and no shipped file requires cdk8s-plus', () => {
  expect(sources().filter(s => LINE_BOUND.test(s)).length).toBeGreaterThan(5);
  expect([...files].filter(f => LINE_BOUND.test(f))).toEqual([]);
  const requiring = [...files].filter(f => f.endsWith('.js') || f.endsWith('.d.ts'))
    .filter(f => /(require\(|from )["']cdk8s-plus-\d+["']/.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
  expect(requiring).toEqual([]);
});

test('no tests, examples, benchmarks or build files', () => {
  const forbidden = /^(test|examples|bench|packages|\.ci|test-reports|coverage|dist|projenrc|\.projen|\.github)\/|^(\.projenrc\.ts|tsconfig(\..*)?\.json|\.eslintrc\.json|\.gitattributes|\.compatignore|jest\.config\.\w+|package-lock\.json)$|\.(test|spec)\.(js|d\.ts)$|\.tgz$|\.tsbuildinfo$/;
  expect(ownFiles().filter(f => forbidden.test(f))).toEqual([]);
});

test('the jsii assembly, the entry point, README, LICENSE and CHANGELOG are present', () => {
  for (const f of ['.jsii', 'package.json', 'lib/index.js', 'lib/index.d.ts', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
    expect(files).toContain(f);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect(files).toContain(manifest.main);
  expect(files).toContain(manifest.types);
});

test('the CLI runtime dependencies are bundled', () => {
  expect([...pack.bundled].sort()).toEqual(expect.arrayContaining([...BUNDLED].sort()));
  for (const dep of BUNDLED) {
    expect(files).toContain(`node_modules/${dep}/package.json`);
  }
  // and their code, not only their manifests
  for (const dep of BUNDLED) {
    const main = require.resolve(dep, { paths: [ROOT] });
    const rel = path.relative(ROOT, main).split(path.sep).join('/');
    expect(files).toContain(rel);
  }
});

test.each(BINS)('bin %s: lib/cli/bin.js, in the package with the bundled CLI it runs, with a node shebang', (bin) => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const target = path.posix.normalize(manifest.bin?.[bin] ?? '');
  expect(target).toBe('lib/cli/bin.js');
  expect(files).toContain(target);
  // lib/cli/bin.js runs lib/cli/bundle.js (packages/cli/bin-bundle.js, at compile)
  expect(files).toContain('lib/cli/bundle.js');
  const firstLine = fs.readFileSync(path.join(ROOT, target), 'utf8').split('\n')[0];
  expect(firstLine).toBe('#!/usr/bin/env node');
});

test('the core keeps its required peers, cdk8s and constructs only (no cdk8s-plus line: the line packages peer theirs), and caps no Node line', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  // the core works with every cdk8s-plus line: no line is its peer or dependency (each line package peers its own, docs/lines.md)
  expect(Object.keys(manifest.peerDependencies ?? {}).sort()).toEqual(['cdk8s', 'constructs']);
  expect([...Object.keys(manifest.dependencies ?? {}), ...(manifest.bundledDependencies ?? [])].filter((d: string) => d.startsWith('cdk8s-plus'))).toEqual([]);
  // none of them optional: npm installs them with the library
  expect(manifest.peerDependenciesMeta).toBeUndefined();
  // `>= 20.0.0`: a lower bound only, so npm does not warn on a Node line newer than the last tested
  expect(manifest.engines.node).toMatch(/^>=\s*20\.0\.0$/);
});

test('jsii targets: Python, Java, .NET and Go, named after the package', () => {
  const { targets } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).jsii;
  expect(targets).toEqual({
    python: { distName: 'cdk8s-rootless', module: 'cdk8s_rootless' },
    java: { package: 'io.github.cdk8s_rootless', maven: { groupId: 'io.github.cdk8s-rootless', artifactId: 'cdk8s-rootless' } },
    dotnet: { namespace: 'Cdk8sRootless', packageId: 'Cdk8sRootless' },
    go: { moduleName: 'github.com/cdk8s-rootless/cdk8s-rootless-go' },
  });
  // and the assembly that the language packages are generated from carries them
  const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8'));
  expect(assembly.targets).toEqual(expect.objectContaining({ python: targets.python, java: targets.java, dotnet: targets.dotnet, go: targets.go }));
});
