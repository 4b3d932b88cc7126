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
  // Examples are TypeScript, as users write them; they import the compiled library.
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

function audit(args) {
  const r = spawnSync(process.execPath, [cli, 'audit', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) fail(`could not run the CLI: ${r.error.message}`);
  return r;
}

const synthesized = synthesize();
console.log(`Synthesized ${synthesized.length} example app(s) into ${path.relative(root, outdir)}/`);

// 1. Everything we ship as an example must be admitted by a restricted namespace.
const targets = [path.relative(root, outdir), 'examples/manifests/compliant'];
const ok = audit(['--level', 'restricted', '--format', 'json', ...targets]);
let report;
try {
  report = JSON.parse(ok.stdout);
} catch {
  fail(`audit printed no JSON:\n${ok.stdout}\n${ok.stderr}`);
}
const rows = report.results.map((r) => [r.file, r.kind, `${r.namespace ? r.namespace + '/' : ''}${r.name ?? ''}`, r.allowed ? 'allowed' : 'DENIED']);
const widths = [0, 1, 2, 3].map((i) => Math.max(...[['file', 'kind', 'name', 'restricted'], ...rows].map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log('\n' + line(['file', 'kind', 'name', 'restricted']));
rows.forEach((r) => console.log(line(r)));
const s = report.summary;
console.log(`\n${s.objects} objects: ${s.audited} audited, ${s.allowed} allowed, ${s.denied} denied, ${s.skipped} not pod-bearing, ${s.errors} errors`);
if (ok.status !== 0) fail(`audit of the examples exited ${ok.status}:\n${audit(['--level', 'restricted', ...targets]).stdout}`);

// 2. The article's manifests: the audit must catch them.
console.log('\nThe reference article\'s manifests, audited at restricted (expected: denied):\n');
const bad = audit(['--level', 'restricted', 'examples/manifests/article']);
process.stdout.write(bad.stdout);
if (bad.status !== 1) fail(`expected the article's manifests to be denied (exit 1), got exit ${bad.status}\n${bad.stderr}`);
console.log('\nexamples: OK');
