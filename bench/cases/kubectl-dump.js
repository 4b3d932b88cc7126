'use strict';
/**
 * Auditing a whole large cluster: `kubectl get ns,pods -A -o json` in kubectl's real shape
 * (bench/lib/kubectl-dump.js: 4-space indentation, managedFields, status, tolerations; about
 * 10 KB per pod, heavier than the 8-9 KB of a typical real pod), generated into bench/out/
 * (never committed).
 *
 * - kubectl-dump-150k: `audit FILE --format json` of 150,000 pods (about 1.5 GB: more than V8's
 *   largest string, so `JSON.parse` cannot read it) against `JSON.parse`'s throughput on a
 *   10,000-pod dump of the same shape, per pod: the baseline reads and parses the 10,000-pod dump
 *   15 times (150,750 pods). Target: the audit at least 1/1.5 of that throughput. Its peak RSS, with
 *   the JSON report written to a file, must stay at or below 1 GiB (checked in the note).
 * - stream-json-10k / stream-yaml-10k: the streaming reader against the whole-text parser (what the
 *   audit used before it streamed) on the same inputs: streaming may cost at most 10% more.
 */
const fs = require('fs');
const path = require('path');
const { Readable } = require('stream');
const { kubectlDumpFile } = require('../lib/kubectl-dump');
const { jsonListFile, yamlFile } = require('../lib/workloads');

const BIG = 150000;
const SMALL = 10000;
const REPEAT = 15;
const GiB = 1024 ** 3;

/** A compiled module of the CLI (lib/cli/) or of the reader it shares with the plugin (lib/manifests/). */
function cliModule(root, name) {
  const folder = ['manifest-parser', 'manifest-stream'].includes(name) ? 'manifests' : 'cli';
  return require(path.join(root, 'lib', folder, `${name}.js`));
}

const dump = {
  name: 'kubectl-dump-150k',
  title: `\`kubectl get ns,pods -A -o json\` of ${BIG.toLocaleString('en')} pods (kubectl's shape, generated)`,
  baselineTitle: `\`fs.readFileSync\` + \`JSON.parse\` of the ${SMALL.toLocaleString('en')}-pod dump, ${REPEAT} times (${(REPEAT * (SMALL + 50)).toLocaleString('en')} pods)`,
  subjectTitle: `\`cdk8s-rootless audit FILE --format json\` of the ${BIG.toLocaleString('en')}-pod dump in-process, the report written to a file`,
  target: 1.5,
  metrics: ['time'],
  runs: 3,
  prepare(ctx) {
    const big = kubectlDumpFile(ctx.outDir, BIG);
    const small = kubectlDumpFile(ctx.outDir, SMALL);
    return { big, small, bigSize: fs.statSync(big).size, smallSize: fs.statSync(small).size };
  },
  baseline(ctx) {
    let pods = 0;
    for (let i = 0; i < REPEAT; i++) pods += JSON.parse(fs.readFileSync(ctx.small, 'utf8')).items.length;
    return `${pods} objects parsed (${(ctx.smallSize / 1024 / 1024).toFixed(0)} MB file read ${REPEAT} times).`;
  },
  subject: {
    setup(ctx) {
      return { program: cliModule(ctx.root, 'program') };
    },
    async run(state, ctx) {
      const out = path.join(ctx.outDir, 'kubectl-dump-150k.report.json');
      const fd = fs.openSync(out, 'w');
      let stderr = '';
      let code;
      try {
        code = await state.program.run(['audit', ctx.big, '--format', 'json'], {
          stdin: Readable.from([]),
          stdout: { write(s) { fs.writeSync(fd, s); return true; } },
          stderr: { write(s) { stderr += s; return true; } },
          cwd: ctx.root,
        });
      } finally {
        fs.closeSync(fd);
      }
      if (code === 2) throw new Error(`audit failed (exit 2): ${stderr}`);
      const rss = process.resourceUsage().maxRSS * 1024;
      const report = fs.statSync(out).size;
      fs.rmSync(out);
      return `${(ctx.bigSize / 1024 / 1024).toFixed(0)} MB dump, ${BIG + 50} objects; ${(report / 1024 / 1024).toFixed(0)} MB JSON report; `
        + `peak RSS ${(rss / 1024 / 1024).toFixed(0)} MB (target <= 1024 MB: ${rss <= GiB ? 'ok' : 'MISS'}).`;
    },
  },
};

/** Reads `file` with the streaming reader (as audit does) or whole (as before), counting the objects. */
function readerCase(name, fileOf, count, title) {
  return {
    name,
    title,
    baselineTitle: 'the whole-text parser (`fs.readFileSync` + `parseManifests`, how audit read inputs before it streamed)',
    subjectTitle: 'the streaming reader (`fs.createReadStream` + `ManifestStreamParser`, how audit reads inputs now)',
    target: 1.1,
    metrics: ['time', 'memory'],
    prepare(ctx) {
      return { file: fileOf(ctx.outDir, count) };
    },
    baseline(ctx) {
      const { parseManifests } = cliModule(ctx.root, 'manifest-parser');
      let objects = 0;
      parseManifests({ name: ctx.file, uri: ctx.file, text: fs.readFileSync(ctx.file, 'utf8') }, { object: () => objects++, error: e => { throw new Error(e.message); } });
      if (objects !== count) throw new Error(`read ${objects} objects`);
      return `${objects} objects.`;
    },
    async subject(ctx) {
      const { ManifestStreamParser } = cliModule(ctx.root, 'manifest-stream');
      const { CHUNK_BYTES } = cliModule(ctx.root, 'manifest-reader');
      let objects = 0;
      const parser = new ManifestStreamParser({ name: ctx.file, uri: ctx.file }, { object: () => objects++, error: e => { throw new Error(e.message); } }, { maxBytes: 256 * 1024 * 1024 });
      for await (const chunk of fs.createReadStream(ctx.file, { encoding: 'utf8', highWaterMark: CHUNK_BYTES })) parser.write(chunk);
      parser.end();
      if (objects !== count) throw new Error(`read ${objects} objects`);
      return `${objects} objects.`;
    },
  };
}

module.exports = [
  dump,
  readerCase('stream-json-10k', jsonListFile, SMALL, `reading the ${SMALL.toLocaleString('en')} workloads of json-list-10k (one \`kind: List\`)`),
  readerCase('stream-yaml-10k', yamlFile, SMALL, `reading the ${SMALL.toLocaleString('en')} workloads of yaml-10k (multi-document YAML)`),
];
