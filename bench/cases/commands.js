'use strict';
/**
 * Whole commands as a user runs them (issue 23, point 2): every side is spawned from the runner
 * (`node` start-up, module loading, reading the file, writing the output to a file), wall clock.
 * Baselines: js-yaml `loadAll` of the same file, `node` reading it + `JSON.parse`, and for synthesis
 * hand-hardened cdk8s-plus Deployments / plain synthesis (bench/scripts/).
 *
 * `--quick` (the CI pass) uses smaller inputs (QUICK counts): the ratios are then not the recorded
 * ones' equals, only a sign of a large regression.
 */
const path = require('path');
const { yamlFile, yamlAnchorsFile, jsonListFile } = require('../lib/workloads');

const node = process.execPath;
const script = (ctx, name) => path.join(ctx.root, 'bench', 'scripts', name);
// the command a user of the npm package runs: its bin (lib/cli/bin.js, the bundled CLI)
const cli = ctx => path.join(ctx.root, require(path.join(ctx.root, 'package.json')).bin['cdk8s-rootless']);
const audit = ctx => [node, cli(ctx), 'audit', ctx.file, '--format', 'json'];
const auditCount = ctx => (ctx.quick ? 2000 : 10000);
const synthCount = ctx => (ctx.quick ? 300 : 1000);
const out = name => ctx => path.join(ctx.outDir, `${name}.out`);
const synthOut = name => ctx => path.join(ctx.outDir, `synth-${name}`);
const synth = mode => ctx => [node, script(ctx, 'synth.js'), mode, String(synthCount(ctx)), synthOut(mode)(ctx)];

module.exports = [
  {
    name: 'cmd-yaml-10k',
    quick: true,
    title: 'whole command: `audit --format json` on 10,000 Deployments, Pods and StatefulSets in one plain YAML file',
    baselineTitle: '`node bench/scripts/load-all.js FILE` (js-yaml `loadAll`)',
    subjectTitle: '`cdk8s-rootless audit FILE --format json > out` (the package\'s bin, lib/cli/bin.js; spawned, wall clock)',
    target: 1.15,
    metrics: ['time'],
    prepare: ctx => ({ file: yamlFile(ctx.outDir, auditCount(ctx)) }),
    baseline: { command: ctx => [node, script(ctx, 'load-all.js'), ctx.file], stdout: out('load-all'), okStatus: [0] },
    subject: { command: audit, stdout: out('audit-yaml'), okStatus: [0, 1] },
  },
  {
    name: 'cmd-yaml-anchors-10k',
    quick: true,
    title: 'whole command: the same with anchors, aliases and merge keys in every object',
    baselineTitle: '`node bench/scripts/load-all.js FILE` (js-yaml `loadAll`)',
    subjectTitle: '`cdk8s-rootless audit FILE --format json > out` (the package\'s bin, lib/cli/bin.js; spawned, wall clock)',
    target: 2,
    metrics: ['time'],
    prepare: ctx => ({ file: yamlAnchorsFile(ctx.outDir, auditCount(ctx)) }),
    baseline: { command: ctx => [node, script(ctx, 'load-all.js'), ctx.file], stdout: out('load-all-anchors'), okStatus: [0] },
    subject: { command: audit, stdout: out('audit-yaml-anchors'), okStatus: [0, 1] },
  },
  {
    name: 'cmd-json-list-10k',
    quick: true,
    title: 'whole command: `audit --format json` on the same objects as one JSON `kind: List`',
    baselineTitle: '`node bench/scripts/json-parse.js FILE` (read + `JSON.parse`)',
    subjectTitle: '`cdk8s-rootless audit FILE --format json > out` (the package\'s bin, lib/cli/bin.js; spawned, wall clock)',
    target: 2,
    metrics: ['time'],
    prepare: ctx => ({ file: jsonListFile(ctx.outDir, auditCount(ctx)) }),
    baseline: { command: ctx => [node, script(ctx, 'json-parse.js'), ctx.file], stdout: out('json-parse'), okStatus: [0] },
    subject: { command: audit, stdout: out('audit-json'), okStatus: [0, 1] },
  },
  {
    name: 'cmd-rootless-deployment-1k',
    quick: true,
    title: 'whole command: a cdk8s app synthesizing 1,000 RootlessDeployments',
    baselineTitle: '`node bench/scripts/synth.js hand 1000 OUTDIR` (the same Deployments hardened by hand with cdk8s-plus)',
    subjectTitle: '`node bench/scripts/synth.js rootless 1000 OUTDIR`',
    target: 1.25,
    metrics: ['time'],
    baseline: { command: synth('hand'), okStatus: [0] },
    subject: { command: synth('rootless'), okStatus: [0] },
  },
  {
    name: 'cmd-apply-to-1k',
    quick: true,
    title: 'whole command: a cdk8s app of 1,000 plain cdk8s-plus Deployments with one RootlessHardening.applyTo',
    baselineTitle: '`node bench/scripts/synth.js plain 1000 OUTDIR` (their plain synthesis)',
    subjectTitle: '`node bench/scripts/synth.js apply-to 1000 OUTDIR`',
    target: 1.5,
    metrics: ['time'],
    baseline: { command: synth('plain'), okStatus: [0] },
    subject: { command: synth('apply-to'), okStatus: [0] },
  },
];
