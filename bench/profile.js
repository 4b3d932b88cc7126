#!/usr/bin/env node
'use strict';
/**
 * Where the time goes (issue 23, point 1): `node bench/profile.js [--quick] [name ...]`
 * (`npm run bench:profile` compiles first). Runs each command as a user runs it, under
 * `node --cpu-prof` (output to a file), reads the .cpuprofile it writes (bench/out/profiles/) and
 * prints the self time per stage. Open a .cpuprofile in Chrome DevTools or speedscope for the
 * flame graph.
 *
 * A sample's stage is decided on its stack, from the outermost frame in: a frame of a module that
 * does one stage (STAGES below: lib/manifests/* parse, lib/policy/schema/* validate, ...) sets the
 * stage for everything it calls, so the innermost such frame wins (a `require` during
 * evaluation counts as load; js-yaml called by the reader counts as parse). Node's own fs and
 * stream frames ("soft" rules) only name a stage nobody set. In synthesis, cdk8s' rendering
 * (`ApiObject.toJson`, `resolve`) called from a verification or an adoption is shown as
 * "verify: render" / "adopt: render" (the extra renders of issue 23, point 3).
 * "(garbage collector)", "(program)" (V8 and native code not attributed to a JS frame) and
 * "(idle)" (waiting on I/O) are V8's own nodes.
 */
const childProcess = require('child_process');
const fs = require('fs');
const path = require('path');
const { yamlFile, yamlAnchorsFile, jsonListFile, writeOnce } = require('./lib/workloads');

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(__dirname, 'out');
const PROF_DIR = path.join(OUT_DIR, 'profiles');
const QUICK = process.argv.includes('--quick');

const lib = p => new RegExp(`/lib/${p}`);
const nm = p => new RegExp(`/node_modules/${p}`);

/** [stage, test(url, functionName), soft?] — first match per frame. */
const AUDIT = [
  ['load', (u, f) => /^node:internal\/modules\//.test(u) || f === 'compileFunction' || f === 'wrapSafe'],
  // the bundled CLI (lib/cli/bundle.js): esbuild names each module's top-level function after its file
  ['load', (u, f) => /\/lib\/cli\/bundle\.js$/.test(u) && /^(lib\/.+\.js|__require|__commonJS)$/.test(f)],
  ['report', u => lib('cli/report/report').test(u)],
  ['report', (u, f) => u === '' && f === 'stringify'],
  ['validate', u => lib('policy/schema/').test(u)],
  ['evaluate', (u, f) => lib('policy/').test(u) || (lib('cli/audit/audit-manifests').test(u) && f === 'object') || lib('cli/audit/audit-judge').test(u) || lib('cli/audit/audit-namespaces').test(u) || lib('cli/audit/namespaces').test(u)],
  ['normalize', u => lib('manifests/manifest-objects').test(u) || lib('cli/report/positions').test(u)],
  ['parse', u => lib('manifests/').test(u) || nm('js-yaml/').test(u) || lib('manifests/yaml-decoder').test(u) || lib('manifests/manifest-parser').test(u)],
  ['parse', (u, f) => u === '' && f === 'parse'],
  ['split', u => /\/lib\/manifests\/(yaml-splitter|manifest-stream|text-lines|text-window|json-scan|item-offsets)/.test(u)],
  ['read', u => lib('cli/manifest-reader').test(u) || lib('cli/io').test(u)],
  ['read', u => /^node:(fs|internal\/fs\/|internal\/streams\/|stream|string_decoder)/.test(u), true],
];
const SYNTH = [
  ['load', (u, f) => /^node:internal\/modules\//.test(u) || f === 'compileFunction' || f === 'wrapSafe'],
  ['validate: schema', u => lib('policy/schema/').test(u)],
  ['validate', u => lib('constructs/internal/workload-validation').test(u)],
  ['validate', (u, f) => nm('cdk8s/lib/app\\.js').test(u) && f === 'validate'],
  ['verify: rootless rules', u => lib('hardening/(rootless-rules|token-rule)').test(u)],
  ['verify: PSS', u => lib('policy/').test(u)],
  ['identity index', u => lib('constructs/internal/identity-index').test(u)],
  ['verify', (u, f) => lib('hardening/verify').test(u) || (lib('constructs/internal/output-verifier').test(u) && f !== 'override')],
  ['verify', (u, f) => (lib('constructs/rootless-hardening\\.js').test(u) && (f === 'verify' || f === 'sweep')) || f === 'verifyAdopted' || (lib('constructs/plus/internal/hardening\\.js').test(u) && ['verify', 'render', 'levelAnnotation'].includes(f))],
  ['adopt', u => lib('hardening/adopt/').test(u) || lib('constructs/internal/adopted-objects').test(u)
    || (lib('constructs/rootless-hardening\\.js').test(u))],
  ['patch', u => nm('cdk8s/lib/json-patch').test(u) || nm('fast-json-patch/').test(u)],
  ['render', (u, f) => (nm('cdk8s/lib/api-object\\.js').test(u) && f === 'toJson') || nm('cdk8s/lib/resolve\\.js').test(u)
    || (nm('cdk8s/lib/chart\\.js').test(u) && f === 'toJson')],
  ['write', u => nm('yaml/').test(u) || nm('cdk8s/lib/yaml\\.js').test(u)],
];
/** A synthesis stage met inside the adoption is shown as "adopt: STAGE" (the adoption's own render and verification). */
const NESTS_IN = new Set(['adopt']);

function commands(quick) {
  const n = quick ? 2000 : 10000;
  const k = quick ? 300 : 1000;
  // The stages are told apart by module (file), so the audits run the CLI file by file (lib/cli/main.js);
  // the package's bin (lib/cli/bin.js) runs the same code bundled into one file: audit-small-bin.
  const cli = path.join(ROOT, 'lib', 'cli', 'main.js');
  const bin = path.join(ROOT, require(path.join(ROOT, 'package.json')).bin['cdk8s-rootless']);
  const synth = path.join(__dirname, 'scripts', 'synth.js');
  return [
    { name: 'audit-yaml', rules: AUDIT, title: `audit --format json, ${n} objects, plain YAML`, argv: () => [cli, 'audit', yamlFile(OUT_DIR, n), '--format', 'json'] },
    { name: 'audit-yaml-anchors', rules: AUDIT, title: `the same with anchors and merge keys`, argv: () => [cli, 'audit', yamlAnchorsFile(OUT_DIR, n), '--format', 'json'] },
    { name: 'audit-json-list', rules: AUDIT, title: `the same as one JSON List`, argv: () => [cli, 'audit', jsonListFile(OUT_DIR, n), '--format', 'json'] },
    { name: 'audit-small', rules: AUDIT, title: 'audit of one small file', argv: () => [cli, 'audit', writeOnce(path.join(OUT_DIR, 'small.yaml'), () => require('./cases/cli-startup').SMALL)] },
    { name: 'audit-small-bin', rules: AUDIT, title: 'the same, by the package\'s bin (the bundled CLI: stages other than load are not told apart)', argv: () => [bin, 'audit', writeOnce(path.join(OUT_DIR, 'small.yaml'), () => require('./cases/cli-startup').SMALL)] },
    { name: 'synth-rootless', rules: SYNTH, title: `synthesis of ${k} RootlessDeployments`, argv: () => [synth, 'rootless', String(k), path.join(OUT_DIR, 'synth-prof')] },
    { name: 'synth-hand', rules: SYNTH, title: `baseline: ${k} cdk8s-plus Deployments hardened by hand`, argv: () => [synth, 'hand', String(k), path.join(OUT_DIR, 'synth-prof')] },
    { name: 'synth-plain', rules: SYNTH, title: `baseline: ${k} plain cdk8s-plus Deployments`, argv: () => [synth, 'plain', String(k), path.join(OUT_DIR, 'synth-prof')] },
    { name: 'synth-apply-to', rules: SYNTH, title: `RootlessHardening.applyTo over ${k} cdk8s-plus Deployments`, argv: () => [synth, 'apply-to', String(k), path.join(OUT_DIR, 'synth-prof')] },
  ];
}

/** Self time (ms) per stage and per function of one .cpuprofile. */
function split(profile, rules, entry, defaultStage) {
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const stageOf = new Map();
  const visit = (node, stage) => {
    const { url, functionName } = node.callFrame;
    let s = stage;
    if (functionName === '(garbage collector)' || functionName === '(program)' || functionName === '(idle)') s = functionName;
    else if (functionName === '' && node.callFrame.lineNumber === 0 && node.callFrame.columnNumber === 0 && url.startsWith('file://')) {
      // a module's top-level code: loading it, except the entry script's (the app itself)
      s = url === entry ? defaultStage : 'load';
    } else {
      const rule = rules.find(([, test]) => test(url, functionName));
      if (rule) {
        const [name, , soft] = rule;
        if (!soft || !stage || stage === 'other') {
          s = name === 'render' && stage && !['construct', 'render', 'other', 'load'].includes(stage) && !stage.includes(':') ? `${stage}: render` : name;
          if (name === 'render' && stage && stage.endsWith(': render')) s = stage;
          // inside the adoption: its own render, verification, patches (not 'load')
          const outer = stage && stage.split(': ')[0];
          if (NESTS_IN.has(outer) && name !== 'load' && name !== outer) s = `${outer}: ${name}`;
        }
      }
    }
    stageOf.set(node.id, s || 'other');
    for (const c of node.children || []) visit(byId.get(c), s);
  };
  visit(profile.nodes[0], defaultStage);
  const stages = new Map();
  const fns = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000; // the time until the next sample
    const id = profile.samples[i];
    const st = stageOf.get(id);
    stages.set(st, (stages.get(st) || 0) + dt);
    const n = byId.get(id);
    const key = `${n.callFrame.functionName || '(anonymous)'} ${path.relative(ROOT, n.callFrame.url.replace(/^file:\/\//, '')) || n.callFrame.url}:${n.callFrame.lineNumber + 1} [${st}]`;
    fns.set(key, (fns.get(key) || 0) + dt);
    total += dt;
  }
  return { stages, fns, total };
}

function main() {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'cli', 'main.js'))) {
    console.error('bench:profile: lib/cli/main.js is missing: compile first (`npm run bench:profile` does it).');
    process.exit(1);
  }
  const only = process.argv.slice(2).filter(a => !a.startsWith('--'));
  fs.mkdirSync(PROF_DIR, { recursive: true });
  const all = [];
  for (const c of commands(QUICK).filter(x => only.length === 0 || only.includes(x.name))) {
    const dir = path.join(PROF_DIR, c.name);
    fs.rmSync(dir, { recursive: true, force: true });
    const outFd = fs.openSync(path.join(PROF_DIR, `${c.name}.out`), 'w');
    const start = process.hrtime.bigint();
    const r = childProcess.spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...c.argv()], { cwd: ROOT, stdio: ['ignore', outFd, 'pipe'] });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    fs.closeSync(outFd);
    if (r.status !== 0 && r.status !== 1) throw new Error(`${c.name} exited ${r.status}: ${r.stderr}`);
    const file = fs.readdirSync(dir).find(f => f.endsWith('.cpuprofile'));
    const entry = `file://${c.argv()[0]}`;
    const { stages, fns, total } = split(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), c.rules, entry, c.rules === SYNTH ? 'construct' : undefined);
    console.log(`\n${c.name}: ${c.title} (wall ${wall.toFixed(0)} ms, profiled ${total.toFixed(0)} ms; ${path.relative(ROOT, path.join(dir, file))})`);
    const rows = [...stages].sort((a, b) => b[1] - a[1]);
    for (const [s, ms] of rows) console.log(`  ${s.padEnd(22)} ${ms.toFixed(0).padStart(6)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)}%`);
    console.log('  top self time:');
    for (const [f, ms] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP || 8))) console.log(`    ${ms.toFixed(0).padStart(5)} ms  ${f}`);
    all.push({ name: c.name, title: c.title, wall, total, stages: Object.fromEntries(rows.map(([s, ms]) => [s, Math.round(ms)])) });
  }
  fs.writeFileSync(path.join(PROF_DIR, 'split.json'), JSON.stringify(all, null, 2) + '\n');
  console.log(`\nWrote ${path.relative(process.cwd(), path.join(PROF_DIR, 'split.json'))}.`);
}

main();
