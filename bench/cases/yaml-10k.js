'use strict';
/**
 * 10,000 workloads in one multi-document YAML file: `audit` (read + split + parse +
 * evaluate + JSON report to a null sink, through the CLI's own code path) against
 * js-yaml's `loadAll` of the same text (already in memory).
 */
const fs = require('fs');
const { yamlFile } = require('../lib/workloads');
const { audit, loadCli } = require('../lib/audit-run');

const COUNT = 10000;

module.exports = {
  name: 'yaml-10k',
  title: `${COUNT.toLocaleString('en')} workloads in one multi-document YAML file`,
  baselineTitle: "js-yaml `loadAll` of the file's text (read beforehand, not timed)",
  subjectTitle: '`cdk8s-rootless audit FILE --format json` in-process (read, parse, evaluate every object, JSON report to a null sink)',
  target: 1.5,
  metrics: ['time', 'memory'],
  prepare(ctx) {
    const file = yamlFile(ctx.outDir, COUNT);
    return { file, size: fs.statSync(file).size };
  },
  baseline: {
    setup(ctx) {
      return { yaml: require(require.resolve('js-yaml', { paths: [ctx.root] })), text: fs.readFileSync(ctx.file, 'utf8') };
    },
    run(state) {
      const docs = state.yaml.loadAll(state.text);
      if (docs.length !== COUNT) throw new Error(`loadAll read ${docs.length} documents`);
      return `${docs.length} documents`;
    },
  },
  subject: {
    setup(ctx) {
      return { cli: loadCli(ctx.root) };
    },
    async run(state, ctx) {
      return `${(ctx.size / 1024 / 1024).toFixed(1)} MB file. ` + await audit(state.cli, ctx.root, ctx.file, 'json');
    },
  },
};
