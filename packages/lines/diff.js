#!/usr/bin/env node
/**
 * `npx projen package:lines:diff`: jsii-diff between the source line's package and every other line's (issue 25,
 * docs/lines.md "Differences between lines"), in both directions (jsii-diff reports what the second assembly breaks
 * of the first: a member only one line has shows in one direction or the other).
 *
 * The assemblies differ by name by design (cdk8s-rootless-plus-NN, its cdk8s-plus-NN): before the comparison both are
 * renamed to one neutral name and the line's references to its cdk8s-plus are read as references to the source line's
 * (the types this API names exist in every line), so that jsii-diff reports only differences of this library's API.
 * Every reported line must be listed in packages/lines/differences.json for that line, and every listed line must
 * still be reported: the documented differences are exactly the real ones. Reads the assemblies staged by
 * `package:lines` (dist/lines/).
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { STAGE, TABLE, packageName } = require('./build.js');

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(STAGE, '.diff');
const DOCUMENTED = JSON.parse(fs.readFileSync(path.join(__dirname, 'differences.json'), 'utf8'));
const NEUTRAL = 'cdk8s-rootless-plus';

/** The assembly of `line`, renamed to the neutral name, its cdk8s-plus references read as the source line's. */
function neutral(line) {
  const file = path.join(STAGE, packageName(line), '.jsii');
  if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run \`npx projen package:lines\` first`);
  let text = fs.readFileSync(file, 'utf8');
  text = text.split(`"${packageName(line)}`).join(`"${NEUTRAL}`);
  if (line !== TABLE.source) text = text.split(`"cdk8s-plus-${line}`).join(`"cdk8s-plus-${TABLE.source}`);
  const assembly = JSON.parse(text);
  delete assembly.fingerprint;
  if (assembly.dependencies?.[`cdk8s-plus-${TABLE.source}`]) assembly.dependencies[`cdk8s-plus-${TABLE.source}`] = require(`cdk8s-plus-${TABLE.source}/package.json`).version;
  return assembly;
}

/** Writes `assembly` into a folder of its own under dist/lines/.diff/ (dependencies resolve from the repository's node_modules). */
function stage(name, assembly) {
  const dir = path.join(WORK, name);
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.jsii'), JSON.stringify(assembly));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: NEUTRAL, version: assembly.version, jsii: { outdir: 'dist', targets: {} }, peerDependencies: assembly.dependencies }));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'cdk8s-rootless'), 'dir');
  return dir;
}

/** jsii-diff's findings of `b` against `a` (err/warn lines; the summary dropped). */
function jsiiDiff(a, b) {
  const bin = require.resolve('jsii-diff/bin/jsii-diff', { paths: [ROOT] });
  const r = spawnSync(process.execPath, [bin, '--keys', '--experimental-errors', a, b], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.error || (r.status !== 0 && r.status !== 1)) throw new Error(`jsii-diff failed: ${r.error?.message ?? r.stderr}`);
  return `${r.stdout}${r.stderr}`.split('\n').map(l => l.trim()).filter(l => /^(err|warn)\s/.test(l));
}

/** The differences between two staged assemblies, both ways, each line prefixed with its direction. */
function differences(source, other, line) {
  return [
    ...jsiiDiff(source, other).map(l => `${TABLE.source} -> ${line}: ${l}`),
    ...jsiiDiff(other, source).map(l => `${line} -> ${TABLE.source}: ${l}`),
  ];
}

function main() {
  fs.rmSync(WORK, { recursive: true, force: true });
  const source = stage(`plus-${TABLE.source}`, neutral(TABLE.source));
  let problems = 0;
  try {
    for (const { line } of TABLE.lines.filter(l => l.line !== TABLE.source)) {
      const other = stage(`plus-${line}`, neutral(line));
      const found = differences(source, other, line);
      const documented = DOCUMENTED[String(line)] ?? [];
      const undocumented = found.filter(f => !documented.includes(f));
      const stale = documented.filter(d => !found.includes(d));
      process.stdout.write(`package:lines:diff: cdk8s-plus-${TABLE.source} vs ${line}: ${found.length} difference(s), ${undocumented.length} undocumented, ${stale.length} documented but gone\n`);
      for (const f of undocumented) process.stdout.write(`  undocumented: ${f}\n`);
      for (const s of stale) process.stdout.write(`  documented but not found: ${s}\n`);
      problems += undocumented.length + stale.length;
    }
  } finally {
    fs.rmSync(WORK, { recursive: true, force: true });
  }
  if (problems > 0) {
    process.stderr.write('package:lines:diff: the differences between lines are not the documented ones: fix the API, or document them in '
      + 'packages/lines/differences.json and docs/lines.md "Differences between lines"\n');
    process.exit(1);
  }
}

if (require.main === module) main();

module.exports = { differences, neutral, stage, WORK };
