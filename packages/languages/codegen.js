#!/usr/bin/env node
/**
 * `npx projen codegen`: the code of the jsii language packages (Python, Java, .NET, Go), generated
 * from .jsii as the release workflow's jobs generate it, but without their toolchains
 * (`jsii-pacmak --code-only`), into dist/codegen/. Fails on any jsii-pacmak error or warning.
 * Building and publishing the language packages is the release workflow's job (docs/release.md).
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
const r = spawnSync(process.execPath, [pacmak, '--code-only', ...TARGETS.flatMap(t => ['--target', t]), '--outdir', OUT], {
  cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
});
const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
process.stdout.write(output);
if (r.error || r.status !== 0) {
  process.stderr.write(`codegen: jsii-pacmak failed (${r.error ? r.error.message : `exit ${r.status}`})\n`);
  process.exit(1);
}
const warnings = output.split('\n').filter(l => /warn|error/i.test(l));
if (warnings.length > 0) {
  process.stderr.write(`codegen: jsii-pacmak printed ${warnings.length} warning or error line(s) (above): fix them\n`);
  process.exit(1);
}
const missing = TARGETS.filter(t => !fs.existsSync(path.join(OUT, t)) || fs.readdirSync(path.join(OUT, t)).length === 0);
if (missing.length > 0) {
  process.stderr.write(`codegen: no code generated for ${missing.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write(`codegen: ${TARGETS.join(', ')} in ${path.relative(ROOT, OUT)}/\n`);
