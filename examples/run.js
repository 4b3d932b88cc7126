#!/usr/bin/env node
// The main job (`npm run examples`): synthesize every example app into dist/examples/,
// then audit the result -- and the hand-written sample manifests -- with the real CLI.
//
// - examples/*.ts export `build(app: App): Chart`; each is synthesized into
//   dist/examples/<name>.k8s.yaml. Every one must pass `audit --level restricted`
//   unless it declares exemptions (the audit reads the pss-level annotation).
// - examples/manifests/compliant/ are foreign manifests that must pass restricted.
// - examples/manifests/article/ are the reference article's originals: the audit must deny
//   them (exit 1), and the findings are printed as the demonstration of what it catches.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const outdir = path.join(root, 'dist', 'examples');
const cli = path.join(root, 'lib', 'cli', 'main.js');

function fail(msg) {
  console.error(`examples: ${msg}`);
  process.exit(1);
}

function synthesize() {
  const sources = fs.readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  if (sources.length === 0) return [];
  // Examples are TypeScript, as users write them: they import 'cdk8s-rootless', which Node resolves to
  // this package's compiled lib/ (its self-reference through the `exports` of package.json).
  require('ts-node').register({
    transpileOnly: true,
    skipProject: true,
    compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', esModuleInterop: true },
  });
  const { App, YamlOutputType } = require('cdk8s');
  const written = [];
  for (const file of sources) {
    const name = path.basename(file, '.ts');
    const mod = require(path.join(__dirname, file));
    if (typeof mod.build !== 'function') fail(`${file} does not export build(app)`);
    const app = new App({ outdir, outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
    mod.build(app);
    try {
      app.synth();
    } catch (e) {
      fail(`${file} did not synthesize:\n${e.message}`);
    }
    written.push(name);
  }
  return written;
}

function cliRun(command, args) {
  const r = spawnSync(process.execPath, [cli, command, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) fail(`could not run the CLI: ${r.error.message}`);
  return r;
}
const audit = (args) => cliRun('audit', args);

const synthesized = synthesize();
console.log(`Synthesized ${synthesized.length} example app(s) into ${path.relative(root, outdir)}/`);

// 1. Everything we ship as an example must be admitted at the level it declares: restricted,
//    unless the pod template carries this library's exemptions and `pss-level` annotations
//    (e.g. the elasticsearch StatefulSet with its root permission init container is baseline).
//    A declared level must also be honest: a "baseline" workload must really fail restricted.
const yaml = require('js-yaml');
const LEVEL = 'rootless.cdk8s.io/pss-level';
const EXEMPTIONS = 'rootless.cdk8s.io/exemptions';
const targets = [path.relative(root, outdir), 'examples/manifests/compliant'];
const reports = {};
for (const level of ['restricted', 'baseline']) {
  const r = audit(['--level', level, '--format', 'json', ...targets]);
  try {
    reports[level] = JSON.parse(r.stdout);
  } catch {
    fail(`audit printed no JSON:\n${r.stdout}\n${r.stderr}`);
  }
  if (r.status === 2) fail(`audit could not read the examples:\n${r.stderr}`);
}

const documents = new Map();
function annotations(result) {
  if (result.item !== undefined || !result.file.endsWith('.yaml')) return {};
  if (!documents.has(result.file)) documents.set(result.file, yaml.loadAll(fs.readFileSync(path.join(root, result.file), 'utf8')));
  const obj = documents.get(result.file)[result.index] ?? {};
  const template = obj.kind === 'Pod' ? obj : obj.kind === 'CronJob' ? obj.spec?.jobTemplate?.spec?.template : obj.spec?.template;
  return template?.metadata?.annotations ?? {};
}

const rows = [];
const problems = [];
const baseline = new Map(reports.baseline.results.map((r) => [`${r.file}#${r.index}#${r.item ?? ''}`, r]));
for (const r of reports.restricted.results.filter((x) => x.applicable)) {
  const a = annotations(r);
  const declared = a[LEVEL] ?? 'restricted';
  const exemptions = a[EXEMPTIONS] ? JSON.parse(a[EXEMPTIONS]) : [];
  const atBaseline = baseline.get(`${r.file}#${r.index}#${r.item ?? ''}`);
  const actual = r.allowed ? 'restricted' : atBaseline?.allowed ? 'baseline' : 'privileged';
  const name = r.kind === 'Dockerfile' ? r.file : `${r.namespace ? r.namespace + '/' : ''}${r.name ?? ''}`;
  if (actual !== declared) problems.push(`${r.file}: ${r.kind} ${name} meets ${actual} but declares ${declared}`);
  rows.push([`${r.kind}/${name}`, actual, exemptions.length ? exemptions.map((e) => `${e.id}${e.container ? ` (${e.container})` : ''}: ${e.reason}`).join('; ') : '-']);
}
const header = ['workload', 'PSS level', 'exemptions (reasons)'];
const widths = [0, 1].map((i) => Math.max(...[header, ...rows].map((r) => r[i].length)));
const line = (r) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}`;
console.log('\n' + line(header));
rows.forEach((r) => console.log(line(r)));
const s = reports.restricted.summary;
console.log(`\n${s.objects} objects: ${s.audited} pod-bearing audited, ${s.skipped} other objects, ${s.errors} errors`);
if (problems.length) fail(`the audit disagrees with the declared levels:\n${problems.join('\n')}`);

// 2. The article's manifests: the audit must catch them.
console.log('\nThe reference article\'s manifests, audited at restricted (expected: denied):\n');
const bad = audit(['--level', 'restricted', 'examples/manifests/article']);
process.stdout.write(bad.stdout);
if (bad.status !== 1) fail(`expected the article's manifests to be denied (exit 1), got exit ${bad.status}\n${bad.stderr}`);

// 3. Migration (scenario 15): harden the article's scenario-1 pod with an explicit numeric user,
//    then audit the result: it must now pass restricted, and pass the startability checklist.
const hardened = path.join(path.relative(root, outdir), 'hardened', 'secure-app.yaml');
fs.mkdirSync(path.dirname(path.join(root, hardened)), { recursive: true });
console.log(`\nHardening examples/manifests/article/secure-app.yaml --user 1000 into ${hardened}:\n`);
const h = cliRun('harden', ['examples/manifests/article/secure-app.yaml', '--user', '1000', '-o', hardened]);
process.stdout.write(h.stderr);
if (h.status !== 0) fail(`harden exited ${h.status}`);
const after = audit(['--level', 'restricted', hardened]);
process.stdout.write(after.stdout);
if (after.status !== 0) fail(`the hardened manifest does not pass restricted (exit ${after.status})`);
// ... and it would start: the startability checklist (docs/migration.md, "Will it start?")
const { startabilityProblems } = require(path.join(root, 'lib', 'hardening', 'startability.js'));
const wontStart = yaml.loadAll(fs.readFileSync(path.join(root, hardened), 'utf8')).flatMap((m) => startabilityProblems(m));
if (wontStart.length) fail(`the hardened manifest would not start:\n${wontStart.join('\n')}`);
console.log('\nexamples: OK');
