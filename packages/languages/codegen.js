#!/usr/bin/env node
/**
 * `npx projen codegen`: the code of the jsii language packages (Python, Java, .NET, Go), generated
 * from .jsii as the release workflow's jobs generate it, but without their toolchains
 * (`jsii-pacmak --code-only`), into dist/codegen/. Fails on any jsii-pacmak error or warning.
 * The core and every line package (packages/lines/, staged by `package:lines`), each into dist/codegen/<name>/ (the core
 * into dist/codegen/ itself). Building and publishing the language packages is the release workflow's job (docs/release.md).
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'dist', 'codegen');
const TARGETS = ['python', 'java', 'dotnet', 'go'];

if (!fs.existsSync(path.join(ROOT, '.jsii'))) {
  process.stderr.write('codegen: .jsii is missing: compile first (npx projen compile)\n');
  process.exit(1);
}
fs.rmSync(OUT, { recursive: true, force: true });
const pacmak = require.resolve('jsii-pacmak/bin/jsii-pacmak', { paths: [ROOT] });

/** Generates the code of the package in `dir` into `out`; exits on any failure or warning. */
function generate(dir, out, name) {
  const r = spawnSync(process.execPath, [pacmak, '--code-only', ...TARGETS.flatMap(t => ['--target', t]), '--outdir', out], {
    cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  process.stdout.write(output);
  if (r.error || r.status !== 0) {
    process.stderr.write(`codegen: jsii-pacmak failed for ${name} (${r.error ? r.error.message : `exit ${r.status}`})\n`);
    process.exit(1);
  }
  const warnings = output.split('\n').filter(l => /warn|error/i.test(l));
  if (warnings.length > 0) {
    process.stderr.write(`codegen: jsii-pacmak printed ${warnings.length} warning or error line(s) for ${name} (above): fix them\n`);
    process.exit(1);
  }
  const missing = TARGETS.filter(t => !fs.existsSync(path.join(out, t)) || fs.readdirSync(path.join(out, t)).length === 0);
  if (missing.length > 0) {
    process.stderr.write(`codegen: no code generated for ${name} in ${missing.join(', ')}\n`);
    process.exit(1);
  }
  process.stdout.write(`codegen: ${name}: ${TARGETS.join(', ')} in ${path.relative(ROOT, out)}/\n`);
}

generate(ROOT, OUT, 'cdk8s-rootless');

// The line packages (packages/lines/build.js, run by `package:lines` or `package:all` before this): each with its own
// names in every language (its jsii targets); the core and the line's cdk8s-plus are its dependency assemblies.
const lines = require('../lines/build.js');
for (const { line } of lines.TABLE.lines) {
  const name = lines.packageName(line);
  const dir = path.join(lines.STAGE, name);
  if (!fs.existsSync(path.join(dir, '.jsii'))) {
    process.stderr.write(`codegen: ${path.relative(ROOT, dir)}/.jsii is missing: build the line packages first (npx projen package:lines)\n`);
    process.exit(1);
  }
  lines.linkCore(dir);
  generate(dir, path.join(OUT, name), name);
  // its own names: the Python module, the Java package, the .NET namespace and the Go package name the line
  const out = path.join(OUT, name);
  const expected = [
    ['python', `cdk8s_rootless_plus_${line}`], ['java', `plus${line}`], ['dotnet', `Cdk8sRootless.Plus${line}`], ['go', `cdk8srootlessplus${line}`],
  ];
  const list = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap(e => e.isDirectory() ? [e.name, ...list(path.join(d, e.name))] : [e.name]);
  for (const [target, id] of expected) {
    if (!list(path.join(out, target)).some(f => f.includes(id))) {
      process.stderr.write(`codegen: ${name}: no ${target} code named ${id}\n`);
      process.exit(1);
    }
  }
}
