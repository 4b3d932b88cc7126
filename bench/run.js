#!/usr/bin/env node
'use strict';
/**
 * Benchmark runner: `node bench/run.js [case-name ...]` (`npm run bench` compiles first).
 *
 * Every file in bench/cases/ exports a case (or an array of cases):
 *
 *   {
 *     name: 'yaml-10k',                 // id; also selects it on the command line
 *     target: 1.5,                      // the subject may take at most target x the baseline
 *     baseline, subject,                // measurements (below)
 *     // optional:
 *     title, baselineTitle, subjectTitle,   // for the report
 *     metrics: ['time', 'memory'],      // ratios checked against the target (default both;
 *                                       // command measurements have time only)
 *     prepare(ctx) { return {...} },    // once, in the runner (e.g. generate inputs into
 *                                       // ctx.outDir); the result is merged into ctx
 *     runs: 3,                          // at most this many runs per side (for slow cases)
 *     series: { id, title, count },     // cases of one series (the same work at several sizes,
 *                                       // `count` workloads each) also get a table of how time
 *                                       // and peak memory grow with `count`
 *   }
 *
 * A measurement is one of:
 *   - a function `(ctx) => any` (may be async): run and timed in a fresh child process per
 *     repetition, so its peak memory (maxRSS) is its own;
 *   - `{ setup(ctx), run(state, ctx) }`: the same, with an untimed setup (e.g. reading the
 *     input) whose result is passed to `run`; `run` may return a string note for the report;
 *   - `{ command: ctx => argv, okStatus: [0], stdout: ctx => file }`: spawned and timed from
 *     the runner (wall clock, process start-up included; no memory figure); its standard output
 *     goes to `stdout(ctx)` when given (as a user redirects it), else nowhere.
 *
 * Baseline and subject runs alternate, `BENCH_RUNS` times each (default 5); the medians are
 * compared. The runner prints a table and writes a section per case (and one for the
 * machine) into BENCHMARKS.md, and the ratios (median, min, max of the paired runs) into
 * bench/recorded.json with the commit measured. Each ratio is printed beside the one recorded on
 * main (`git show main:bench/recorded.json`, with main's commit; else the working copy's). It exits
 * 0 even when a ratio misses its target (it prints MISS): timings depend on the machine; this is a
 * report, not a test.
 *
 * `--quick` (the CI pass): only the cases marked `quick: true`, with `ctx.quick` set (smaller
 * inputs), 3 runs per side unless BENCH_RUNS says otherwise; prints, writes nothing.
 */
const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(__dirname, 'out');
const CASES_DIR = path.join(__dirname, 'cases');
const CHILD = path.join(__dirname, 'child.js');
const REPORT = path.join(ROOT, 'BENCHMARKS.md');
const RECORDED = path.join(__dirname, 'recorded.json');
const QUICK = process.argv.includes('--quick');
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS) || (QUICK ? 3 : 7));

function loadCases() {
  const cases = [];
  for (const file of fs.readdirSync(CASES_DIR).filter(f => f.endsWith('.js')).sort()) {
    const exported = require(path.join(CASES_DIR, file));
    for (const c of Array.isArray(exported) ? exported : [exported]) cases.push({ ...c, file: path.join(CASES_DIR, file) });
  }
  return cases;
}

/** Runs one measurement (`c.baseline` or `c.subject`) once; returns { ms, rssBytes?, note? }. */
function measure(c, role, ctx) {
  const m = c[role];
  if (m && m.command) {
    const argv = m.command(ctx);
    const fd = m.stdout ? fs.openSync(m.stdout(ctx), 'w') : 'ignore';
    let r;
    let ms;
    try {
      const start = process.hrtime.bigint();
      r = childProcess.spawnSync(argv[0], argv.slice(1), { cwd: ROOT, stdio: ['ignore', fd, 'pipe'] });
      ms = Number(process.hrtime.bigint() - start) / 1e6;
    } finally {
      if (typeof fd === 'number') fs.closeSync(fd);
    }
    if (r.error) throw r.error;
    if (m.okStatus && !m.okStatus.includes(r.status)) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
    return { ms };
  }
  const r = childProcess.spawnSync(process.execPath, ['--expose-gc', CHILD, c.file, c.name, role, JSON.stringify(ctx)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${c.name} ${role} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  const line = r.stdout.trim().split('\n').pop();
  return JSON.parse(line);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function fmtMs(ms) {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

function fmtMb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus.length ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

function runCase(c) {
  const ctx = { root: ROOT, outDir: OUT_DIR, quick: QUICK };
  if (c.prepare) Object.assign(ctx, c.prepare(ctx) || {});
  const samples = { baseline: [], subject: [] };
  const runs = c.runs ? Math.max(1, Math.min(RUNS, c.runs)) : RUNS;
  for (let i = 0; i < runs; i++) {
    // alternate, so drift on a busy machine hits both sides alike
    samples.baseline.push(measure(c, 'baseline', ctx));
    samples.subject.push(measure(c, 'subject', ctx));
  }
  const rows = [];
  const isCommand = Boolean(c.baseline.command || c.subject.command);
  const metrics = (c.metrics || ['time', 'memory']).filter(x => x === 'time' || !isCommand);
  for (const metric of metrics) {
    const key = metric === 'time' ? 'ms' : 'rssBytes';
    const b = median(samples.baseline.map(s => s[key]));
    const s = median(samples.subject.map(x => x[key]));
    const ratio = s / b;
    // Each subject run follows a baseline run: the spread of these paired ratios shows how much
    // of a result is the machine's noise (the status is decided on the ratio of the medians).
    const paired = samples.subject.map((x, i) => x[key] / samples.baseline[i][key]);
    rows.push({
      metric,
      b,
      s,
      baseline: metric === 'time' ? fmtMs(b) : fmtMb(b),
      subject: metric === 'time' ? fmtMs(s) : fmtMb(s),
      ratio,
      min: Math.min(...paired),
      max: Math.max(...paired),
      range: `${Math.min(...paired).toFixed(2)}-${Math.max(...paired).toFixed(2)}x`,
      ok: ratio <= c.target,
    });
  }
  return { c, rows, runs, extra: samples.subject[samples.subject.length - 1].note };
}

/**
 * Cases that share a `series` id, by `series.count`: per size, the medians of both sides, their
 * ratio, and the time per workload, so the report shows how the cost grows with the count.
 */
function seriesTables(results) {
  const byId = new Map();
  for (const r of results) {
    if (!r.c.series) continue;
    if (!byId.has(r.c.series.id)) byId.set(r.c.series.id, { id: r.c.series.id, title: r.c.series.title, results: [] });
    byId.get(r.c.series.id).results.push(r);
  }
  const tables = [];
  for (const series of byId.values()) {
    const sorted = series.results.sort((x, y) => x.c.series.count - y.c.series.count);
    const header = ['workloads', 'baseline time', 'subject time', 'time ratio', 'baseline / workload', 'subject / workload', 'baseline memory', 'subject memory', 'memory ratio'];
    const body = sorted.map(({ c, rows }) => {
      const time = rows.find(r => r.metric === 'time');
      const mem = rows.find(r => r.metric === 'memory');
      const n = c.series.count;
      return [
        n.toLocaleString('en-US'),
        time ? time.baseline : '',
        time ? time.subject : '',
        time ? `${time.ratio.toFixed(2)}x` : '',
        time ? fmtPerItem(time.b / n) : '',
        time ? fmtPerItem(time.s / n) : '',
        mem ? mem.baseline : '',
        mem ? mem.subject : '',
        mem ? `${mem.ratio.toFixed(2)}x` : '',
      ];
    });
    tables.push({ ...series, rows: [header, ...body], cases: sorted.map(r => r.c.name) });
  }
  return tables;
}

function fmtPerItem(ms) {
  return ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}

function table(results, recorded) {
  const header = ['case', 'metric', 'baseline', 'subject', 'ratio', 'paired runs', 'target', 'status', 'recorded (main)'];
  const body = [];
  for (const { c, rows } of results) {
    for (const r of rows) {
      const rec = recorded && recorded.cases[c.name] && recorded.cases[c.name][r.metric];
      const then = rec ? `${rec.ratio.toFixed(2)}x (${rec.min.toFixed(2)}-${rec.max.toFixed(2)}x)` : '-';
      body.push([c.name, r.metric, r.baseline, r.subject, `${r.ratio.toFixed(2)}x`, r.range, `<= ${c.target}x`, r.ok ? 'ok' : 'MISS', then]);
    }
  }
  return [header, ...body];
}

function git(args) {
  const r = childProcess.spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * The ratios recorded at the last merge to main (bench/recorded.json as main has it, and main's
 * commit that last changed it); when there is no main branch, the working copy's file.
 */
function readRecorded() {
  const onMain = git(['show', 'main:bench/recorded.json']);
  if (onMain) {
    try {
      return { ...JSON.parse(onMain), source: `main ${git(['log', '-1', '--format=%h', 'main', '--', 'bench/recorded.json']) || ''}`.trim() };
    } catch (e) { /* unreadable on main: fall back to the working copy */ }
  }
  if (fs.existsSync(RECORDED)) return { ...JSON.parse(fs.readFileSync(RECORDED, 'utf8')), source: 'working copy' };
  return undefined;
}

/** Merges this run's ratios into bench/recorded.json (the cases run replace their entries). */
function writeRecorded(results, m, date) {
  const prev = fs.existsSync(RECORDED) ? JSON.parse(fs.readFileSync(RECORDED, 'utf8')) : { cases: {} };
  const head = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  const dirty = git(['status', '--porcelain', '--', 'lib', 'bench']) ? '+changes' : '';
  const cases = { ...prev.cases };
  for (const { c, rows, runs } of results) {
    cases[c.name] = { target: c.target, runs, commit: head + dirty, date };
    for (const r of rows) {
      cases[c.name][r.metric] = { ratio: round(r.ratio), min: round(r.min), max: round(r.max), baseline: r.baseline, subject: r.subject };
    }
  }
  const doc = { note: 'Written by bench/run.js (full runs); BENCHMARKS.md tables come from the same run. Ratios: median, min and max of the paired runs.', machine: `${m.cpu}, ${m.cores} cores, ${m.memory}; Node ${m.node}`, cases };
  fs.writeFileSync(RECORDED, JSON.stringify(doc, null, 2) + '\n');
}

/**
 * The section of BENCHMARKS.md listing every recorded ratio against its target, generated from
 * bench/recorded.json (the one source; `node bench/run.js --table` rewrites it without running).
 */
function writeRecordedTable() {
  const rec = JSON.parse(fs.readFileSync(RECORDED, 'utf8'));
  const lines = [
    '## Recorded ratios (bench/recorded.json)',
    '',
    `What \`npm run bench\` prints beside each new ratio (as recorded on main). Machine: ${rec.machine}.`,
    'Ratio: median subject / median baseline; min-max: the paired runs (each subject run / the baseline run just before it).',
    '',
    '| case | metric | ratio | min-max | target | status | runs | commit | date |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, c] of Object.entries(rec.cases)) {
    for (const metric of ['time', 'memory']) {
      const r = c[metric];
      if (!r) continue;
      lines.push(`| ${name} | ${metric} | ${r.ratio.toFixed(2)}x | ${r.min.toFixed(2)}-${r.max.toFixed(2)}x | <= ${c.target}x | ${r.ratio <= c.target ? 'ok' : `MISS by ${Math.round((r.ratio / c.target - 1) * 100)}%`} | ${c.runs} | ${c.commit} | ${c.date} |`);
    }
  }
  fs.writeFileSync(REPORT, upsertSection(fs.readFileSync(REPORT, 'utf8'), 'recorded', lines.join('\n')));
}

function round(x) {
  return Math.round(x * 100) / 100;
}

function printTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => String(r[i]).length)));
  for (const r of rows) console.log(r.map((cell, i) => String(cell).padEnd(widths[i])).join('  ').trimEnd());
}

/** Replaces (or appends) the section between `<!-- bench:id -->` and `<!-- /bench:id -->`. */
function upsertSection(doc, id, content) {
  const start = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  const block = `${start}\n${content.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i !== -1 && j > i) return doc.slice(0, i) + block + doc.slice(j + end.length);
  return doc.trimEnd() + '\n\n' + block + '\n';
}

function writeReport(results, series, m, date) {
  let doc = fs.existsSync(REPORT)
    ? fs.readFileSync(REPORT, 'utf8')
    : '# Benchmarks\n\nWritten by `npm run bench` (bench/run.js): each case runs its baseline and its subject\n'
      + `alternately in fresh processes (${RUNS} runs each by default, \`BENCH_RUNS\` to change) and compares medians.\n`
      + 'Ratios are subject / baseline, measured in the same run on the same machine; "paired runs" is the range of\n'
      + 'the ratios of each subject run to the baseline run just before it (how noisy the machine was).\n';
  doc = upsertSection(doc, 'machine', [
    `Last run: ${date}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memory} memory; Node ${m.node}; ${m.os}.`,
  ].join('\n'));
  for (const { c, rows, extra } of results) {
    const lines = [`## ${c.title ? `${c.name}: ${c.title}` : c.name}`, ''];
    if (c.baselineTitle || c.subjectTitle) lines.push(`Baseline: ${c.baselineTitle || 'see bench/cases'}. Subject: ${c.subjectTitle || 'see bench/cases'}.`, '');
    if (extra) lines.push(extra, '');
    lines.push('| metric | baseline | subject | ratio | paired runs | target | status |', '|---|---|---|---|---|---|---|');
    for (const r of rows) lines.push(`| ${r.metric} | ${r.baseline} | ${r.subject} | ${r.ratio.toFixed(2)}x | ${r.range} | <= ${c.target}x | ${r.ok ? 'ok' : 'MISS'} |`);
    lines.push('', `Measured ${date} on ${m.cpu} (${m.cores} cores, ${m.memory}), Node ${m.node}, median of ${results.find(x => x.c === c).runs} runs.`);
    doc = upsertSection(doc, c.name, lines.join('\n'));
  }
  for (const t of series) {
    const [header, ...body] = t.rows;
    const lines = [
      `## ${t.id}: ${t.title}`,
      '',
      `Cases ${t.cases.join(', ')} side by side. Time and peak memory (maxRSS of the whole process, Node and the loaded`,
      'modules included, hence the floor at small sizes) are medians; "/ workload" is the median time divided by the count',
      '(at small counts it is mostly first-use cost: JIT compilation and lazy initialisation in a fresh process).',
      '',
      `| ${header.join(' | ')} |`,
      `|${header.map(() => '---').join('|')}|`,
      ...body.map(r => `| ${r.join(' | ')} |`),
      '',
      `Measured ${date} on ${m.cpu} (${m.cores} cores, ${m.memory}), Node ${m.node}.`,
    ];
    doc = upsertSection(doc, `series-${t.id}`, lines.join('\n'));
  }
  fs.writeFileSync(REPORT, doc);
}

function main() {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'cli', 'bundle.js'))) {
    console.error('bench: lib/cli/bundle.js is missing: compile first (`npx projen compile`; `npm run bench` does it).');
    process.exit(1);
  }
  if (process.argv.includes('--table')) {
    writeRecordedTable();
    console.log(`Wrote the recorded ratios into ${path.relative(process.cwd(), REPORT)}.`);
    return;
  }
  const only = process.argv.slice(2).filter(a => !a.startsWith('--'));
  const cases = loadCases().filter(c => (only.length === 0 || only.includes(c.name)) && (!QUICK || c.quick));
  if (cases.length === 0) {
    console.error(`bench: no case named ${only.join(', ')}`);
    process.exit(1);
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const m = machine();
  console.log(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memory}; Node ${m.node}. ${RUNS} runs per side, medians.${QUICK ? ' Quick pass: smaller inputs, nothing written.' : ''}\n`);
  const recorded = readRecorded();
  const results = [];
  for (const c of cases) {
    process.stdout.write(`running ${c.name} ...\n`);
    results.push(runCase(c));
  }
  console.log('');
  printTable(table(results, recorded));
  if (recorded) {
    console.log(`\nrecorded (main): median and paired-run range from bench/recorded.json at ${recorded.source}${QUICK ? ' (full-size inputs; this quick pass used smaller ones)' : ''}.`);
  }
  const series = seriesTables(results).filter(t => t.cases.length > 1);
  for (const t of series) {
    console.log(`\n${t.id}: ${t.title}`);
    printTable(t.rows);
  }
  const misses = results.flatMap(r => r.rows.filter(x => !x.ok).map(x => `${r.c.name} ${x.metric}`));
  if (misses.length > 0) console.log(`\nMISS: ${misses.join(', ')} over target (reported, not failed).`);
  if (QUICK) return;
  const date = new Date().toISOString().slice(0, 10);
  writeReport(results, series, m, date);
  writeRecorded(results, m, date);
  writeRecordedTable();
  console.log(`\nWrote ${path.relative(process.cwd(), REPORT) || REPORT} and ${path.relative(process.cwd(), RECORDED)}.`);
}

main();
