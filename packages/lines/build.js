#!/usr/bin/env node
/**
 * `npx projen package:lines` (and `package:all`): one npm package per cdk8s-plus line (issue 25, docs/lines.md), built
 * from the one source folder lib/constructs/plus/, never from a copy kept in the repository.
 *
 * For each line of packages/lines/lines.json (or the lines given as arguments: `node packages/lines/build.js 32 33`):
 *   1. stage dist/lines/cdk8s-rootless-plus-NN/: the .ts sources of lib/constructs/plus/ bound to the line: every
 *      mention of 'cdk8s-plus-<source line>' (imports, subpaths, messages, docs) becomes 'cdk8s-plus-NN', and every
 *      relative import that leaves lib/constructs/plus/ (found with the TypeScript AST) becomes a deep import of the core package
 *      ('cdk8s-rootless/lib/<path>.js'): the line package holds only the constructs, and every app shares one core
 *      (one `Exemption`, one identity index, one verifier) whichever lines it uses;
 *   2. write its package.json (peers: the core at this exact version, since it deep-imports the core; cdk8s-plus-NN in
 *      the line's range; cdk8s and constructs in the core's ranges) with jsii names of its own in every language;
 *   3. compile it with jsii against the core's assembly (the compiled root of this repository, linked as
 *      node_modules/cdk8s-rootless) and that line's cdk8s-plus, failing on any jsii warning;
 *   4. pack it with jsii-pacmak (`--target js`) into dist/packages/cdk8s-rootless-plus-NN@<version>.jsii.tgz;
 *   and, for the source line, write the constructs' API reference, API-constructs.md (jsii-docgen; API.md is the core's).
 * `--no-pack` stops after step 3 (the jsii-diff and codegen steps read the staged assemblies).
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE_DIR = path.join(ROOT, 'lib', 'constructs', 'plus');
const STAGE = path.join(ROOT, 'dist', 'lines');
const PACKAGES = path.join(ROOT, 'dist', 'packages');
const TABLE = JSON.parse(fs.readFileSync(path.join(__dirname, 'lines.json'), 'utf8'));
const rootPkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const ts = require(require.resolve('typescript', { paths: [ROOT] }));

/** The npm name of a line's package. */
const packageName = (line) => `cdk8s-rootless-plus-${line}`;

function fail(message) {
  process.stderr.write(`package:lines: ${message}\n`);
  process.exit(1);
}

/** Every .ts source (not .d.ts) under `dir`, relative to it. */
function sources(dir, rel = '') {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) return sources(dir, r);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [r] : [];
  });
}

/** The .ts file a relative specifier of `from` names (as TypeScript resolves it), or undefined. */
function resolveRelative(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
}

/**
 * The specifier `spec` of the source file `file` bound to `line`: the source line's cdk8s-plus becomes the line's,
 * a relative import leaving lib/constructs/plus/ becomes a deep import of the core. Other specifiers are unchanged.
 */
function bind(file, spec, line) {
  if (spec === `cdk8s-plus-${TABLE.source}` || spec.startsWith(`cdk8s-plus-${TABLE.source}/`)) return spec; // bound with the text below
  if (/^cdk8s-plus-\d+(\/|$)/.test(spec)) fail(`${path.relative(ROOT, file)} imports ${spec}: lib/constructs/plus/ is written against cdk8s-plus-${TABLE.source} only`);
  if (!spec.startsWith('.')) return spec;
  const target = resolveRelative(file, spec);
  if (target === undefined) fail(`${path.relative(ROOT, file)}: cannot resolve '${spec}'`);
  if (!path.relative(SOURCE_DIR, target).startsWith('..')) return spec; // inside the line package
  const rel = path.relative(ROOT, target).split(path.sep).join('/');
  if (!rel.startsWith('lib/')) fail(`${path.relative(ROOT, file)} imports '${spec}', outside lib/`);
  return `cdk8s-rootless/${rel.replace(/(\/index)?\.ts$/, '')}.js`.replace(/\/\.js$/, '/index.js');
}

/** `text` (the source `file`) with every module specifier bound to `line` (imports, exports, import types, import()). */
function bindSource(file, text, line) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edits = [];
  const visit = (n) => {
    let lit;
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) lit = n.moduleSpecifier;
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) lit = n.argument.literal;
    else if (ts.isCallExpression(n) && n.arguments.length === 1 && ts.isStringLiteral(n.arguments[0])
      && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require'))) lit = n.arguments[0];
    if (lit) {
      const bound = bind(file, lit.text, line);
      if (bound !== lit.text) edits.push([lit.getStart(sf) + 1, lit.getEnd() - 1, bound]);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  let out = text;
  for (const [start, end, spec] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + spec + out.slice(end);
  // In lib/constructs/plus/, `cdk8s-plus-<source line>` means the line the package is bound to, wherever it is written:
  // imports, subpaths (`cdk8s-plus-27/package.json`), messages and docs alike. A statement about one line in particular
  // names it otherwise ("lines 32 and later": see lib/constructs/plus/internal/line-differences.ts, docs/lines.md).
  return out.split(`cdk8s-plus-${TABLE.source}`).join(`cdk8s-plus-${line}`);
}

/** The package.json of a line's package. */
function manifest({ line, peer }) {
  const name = packageName(line);
  const version = rootPkg.version;
  const peers = {
    'cdk8s': rootPkg.peerDependencies.cdk8s,
    [`cdk8s-plus-${line}`]: peer,
    'cdk8s-rootless': version,
    'constructs': rootPkg.peerDependencies.constructs,
  };
  const sorted = Object.fromEntries(Object.entries(peers).sort(([a], [b]) => a.localeCompare(b)));
  return {
    name,
    description: `The cdk8s-rootless constructs (HardenedPod, RootlessDeployment, RootlessStatefulSet, RootlessJob, RootlessCronJob, RootlessDaemonSet) for cdk8s-plus-${line}: rootless, Pod Security Standards "restricted" workloads by default. Use with the core package cdk8s-rootless.`,
    repository: rootPkg.repository,
    author: rootPkg.author,
    license: rootPkg.license,
    homepage: rootPkg.homepage,
    keywords: [...(rootPkg.keywords ?? []), `cdk8s-plus-${line}`],
    version,
    main: 'lib/index.js',
    types: 'lib/index.d.ts',
    engines: rootPkg.engines,
    stability: rootPkg.stability,
    peerDependencies: sorted,
    // the versions this repository builds and tests the line with (jsii reads the assemblies of the peers)
    devDependencies: Object.fromEntries(Object.keys(sorted).map((dep) => [dep, dep === 'cdk8s-rootless' ? version
      : dep === `cdk8s-plus-${line}` ? TABLE.lines.find((l) => l.line === line).dev : rootPkg.devDependencies[dep]])),
    jsii: {
      outdir: 'dist',
      tsc: { outDir: 'lib', rootDir: 'lib' },
      // each line has names of its own in every language, as cdk8s-plus names its lines (org.cdk8s.plus32, cdk8s_plus_32, ...)
      targets: {
        java: {
          package: `io.github.cdk8s_rootless.plus${line}`,
          maven: { groupId: 'io.github.cdk8s-rootless', artifactId: name },
        },
        python: { distName: name, module: `cdk8s_rootless_plus_${line}` },
        dotnet: { namespace: `Cdk8sRootless.Plus${line}`, packageId: `Cdk8sRootless.Plus${line}` },
        go: { moduleName: rootPkg.jsii.targets.go.moduleName, packageName: `cdk8srootlessplus${line}` },
      },
    },
  };
}

function readme(line) {
  return `# ${packageName(line)}

The [cdk8s-rootless](https://github.com/cdk8s-rootless/cdk8s-rootless) workload constructs for **cdk8s-plus-${line}**:
\`HardenedPod\`, \`RootlessDeployment\`, \`RootlessStatefulSet\`, \`RootlessJob\`, \`RootlessCronJob\` and \`RootlessDaemonSet\`,
rootless and Pod Security Standards "restricted" by default, every weakening an explicit, reasoned exemption.

\`\`\`sh
npm install cdk8s-rootless ${packageName(line)} cdk8s-plus-${line} cdk8s constructs
\`\`\`

\`\`\`ts
import { Exemption } from 'cdk8s-rootless';
import { RootlessDeployment } from '${packageName(line)}';
\`\`\`

Everything that does not depend on a cdk8s-plus line (exemptions, image presets, \`RootlessHardening.applyTo\`,
\`RestrictedNamespace\`, the admission policy, the alert rules, the validation plugin) is in the core package
\`cdk8s-rootless\`, which this package requires at the same version. Built from the same sources as every other line
(docs/lines.md in the repository: the lines, the differences between them, how to move from one line to the next).
`;
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: process.env });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error || r.status !== 0) fail(`${path.basename(args[0] ?? cmd)} ${args.slice(1).join(' ')} failed in ${path.relative(ROOT, cwd)}:\n${out}`);
  return out;
}

/**
 * Links the core (this repository's compiled root: its .jsii and lib/) as `dir`/node_modules/cdk8s-rootless, as the
 * line package's peer resolves it; the other peers resolve from the repository's node_modules/ above.
 */
const LINKED = new Set();
process.on('exit', () => { for (const dir of LINKED) fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true }); });
function linkCore(dir) {
  LINKED.add(dir);
  fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'cdk8s-rootless'), 'dir');
}

function build(entry, pack) {
  const { line } = entry;
  const dir = path.join(STAGE, packageName(line));
  const started = Date.now();
  fs.rmSync(dir, { recursive: true, force: true });
  for (const rel of sources(SOURCE_DIR)) {
    const file = path.join(SOURCE_DIR, rel);
    const out = path.join(dir, 'lib', rel);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, bindSource(file, fs.readFileSync(file, 'utf8'), line));
  }
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest(entry), undefined, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'README.md'), readme(line));
  fs.copyFileSync(path.join(ROOT, 'LICENSE'), path.join(dir, 'LICENSE'));
  fs.writeFileSync(path.join(dir, '.npmignore'), ['*.ts', '!*.d.ts', 'tsconfig.json', 'dist/', 'node_modules/', '*.tsbuildinfo', ''].join('\n'));
  linkCore(dir);
  const jsii = require.resolve('jsii/bin/jsii', { paths: [ROOT] });
  const compiled = run(process.execPath, [jsii, '--fail-on-warnings', '--silence-warnings=reserved-word'], dir);
  if (/warning/i.test(compiled.replace(/Warnings: 0( \(\+\d+ silenced\))?/g, ''))) fail(`jsii warned for ${packageName(line)}:\n${compiled}`);
  if (line === TABLE.source) {
    // the API reference of the constructs, from the source line's package (every line has the same API: diff.js);
    // API.md, projen's docgen, is the core's
    const docgen = require.resolve('jsii-docgen/bin/jsii-docgen', { paths: [ROOT] });
    run(process.execPath, [docgen, '-o', path.join(ROOT, 'API-constructs.md')], dir);
  }
  let tarball = '';
  if (pack) {
    const pacmak = require.resolve('jsii-pacmak/bin/jsii-pacmak', { paths: [ROOT] });
    run(process.execPath, [pacmak, '--target', 'js', '--outdir', 'dist'], dir);
    const js = path.join(dir, 'dist', 'js');
    tarball = fs.readdirSync(js).find((f) => f.endsWith('.tgz'));
    if (!tarball || !tarball.startsWith(`${packageName(line)}@`)) fail(`no tarball of ${packageName(line)} in ${path.relative(ROOT, js)}`);
    fs.mkdirSync(PACKAGES, { recursive: true });
    fs.copyFileSync(path.join(js, tarball), path.join(PACKAGES, tarball));
  }
  // the link to the core goes (also on failure, at exit): dist/ travels as the build artifact, and a link to the
  // repository would hold dist/ again
  fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
  LINKED.delete(dir);
  process.stdout.write(`package:lines: ${packageName(line)} (cdk8s-plus-${line})${tarball ? ` -> dist/packages/${tarball}` : ' compiled'} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

function main() {
  const args = process.argv.slice(2);
  const pack = !args.includes('--no-pack');
  const asked = args.filter((a) => !a.startsWith('--')).map(Number);
  const unknown = asked.filter((l) => !TABLE.lines.some((e) => e.line === l));
  if (unknown.length > 0) fail(`no line ${unknown.join(', ')} in packages/lines/lines.json (lines: ${TABLE.lines.map((l) => l.line).join(', ')})`);
  if (!fs.existsSync(path.join(ROOT, '.jsii')) || !fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) fail('compile the core first (npx projen compile)');
  for (const entry of TABLE.lines.filter((l) => asked.length === 0 || asked.includes(l.line))) build(entry, pack);
}

if (require.main === module) main();

module.exports = { linkCore, packageName, STAGE, TABLE };
