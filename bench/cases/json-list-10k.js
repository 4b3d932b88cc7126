'use strict';
/**
 * The same 10,000 workloads as one `kind: List` JSON (as `kubectl get -o json` prints it):
 * `audit` against `JSON.parse` alone of the same text (already in memory).
 */
const fs = require('fs');
const { jsonListFile } = require('../lib/workloads');
const { audit, loadCli } = require('../lib/audit-run');

const COUNT = 10000;

module.exports = {
  name: 'json-list-10k',
  title: `the same ${COUNT.toLocaleString('en')} workloads as one \`kind: List\` JSON`,
  baselineTitle: "`JSON.parse` of the file's text (read beforehand, not timed)",
  subjectTitle: '`cdk8s-rootless audit FILE --format json` in-process (read, parse, evaluate every item, JSON report to a null sink)',
  target: 3,
  metrics: ['time', 'memory'],
  prepare(ctx) {
    const file = jsonListFile(ctx.outDir, COUNT);
    return { file, size: fs.statSync(file).size };
  },
  baseline: {
    setup(ctx) {
      return { text: fs.readFileSync(ctx.file, 'utf8') };
    },
    run(state) {
      const list = JSON.parse(state.text);
      if (list.items.length !== COUNT) throw new Error(`JSON.parse read ${list.items.length} items`);
      return `${list.items.length} items`;
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
