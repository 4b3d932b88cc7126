'use strict';
/**
 * `harden` on 1,000 workloads in one multi-document YAML file (the benchmark mix: a third
 * already restricted, the others baseline or privileged): plan, apply as text insertions,
 * verify each edited document (re-parse, a second run, read back as `audit` reads it) and
 * evaluate the result, in-process (`hardenText`), against what no comment-preserving edit can
 * avoid: the `yaml` package parsing the same text into Documents (read beforehand, not timed).
 */
const fs = require('fs');
const path = require('path');
const { yamlFile } = require('../lib/workloads');

const COUNT = 1000;

module.exports = {
  name: 'harden-1k',
  title: `\`harden\` on ${COUNT.toLocaleString('en')} workloads in one multi-document YAML file`,
  baselineTitle: "the `yaml` package's `parseAllDocuments` of the file's text (read beforehand, not timed)",
  subjectTitle: '`hardenText` of the same text (plan, edit, verify, read back and evaluate every object)',
  target: 8,
  metrics: ['time', 'memory'],
  runs: 3,
  prepare(ctx) {
    const file = yamlFile(ctx.outDir, COUNT);
    return { file };
  },
  baseline: {
    setup(ctx) {
      return { yaml: require(require.resolve('yaml', { paths: [ctx.root] })), text: fs.readFileSync(ctx.file, 'utf8') };
    },
    run(state) {
      const docs = state.yaml.parseAllDocuments(state.text, { version: '1.1', merge: true, uniqueKeys: true });
      if (docs.length !== COUNT) throw new Error(`parseAllDocuments read ${docs.length} documents`);
      return `${docs.length} documents`;
    },
  },
  subject: {
    setup(ctx) {
      return { harden: require(path.join(ctx.root, 'lib', 'cli', 'harden', 'harden.js')), text: fs.readFileSync(ctx.file, 'utf8') };
    },
    run(state) {
      const r = state.harden.hardenText(state.text, { user: 10001 });
      if (r.error) throw new Error(r.error);
      return `${r.objects.length} objects, ${r.objects.filter(o => o.remaining.length === 0).length} pass restricted after hardening.`;
    },
  },
};
