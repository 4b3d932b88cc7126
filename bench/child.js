'use strict';
/**
 * Runs one in-process measurement in this fresh process (spawned by run.js):
 *   node child.js <case-file> <case-name> <baseline|subject> <ctx-json>
 * Prints one JSON line: { ms, rssBytes, note? }. Peak RSS is the process's maxRSS at the end.
 */
const [caseFile, caseName, role, ctxJson] = process.argv.slice(2);
const ctx = JSON.parse(ctxJson);
const exported = require(caseFile);
const c = (Array.isArray(exported) ? exported : [exported]).find(x => x.name === caseName);
if (!c) throw new Error(`no case named ${caseName} in ${caseFile}`);
const m = c[role];
const setup = typeof m === 'function' ? undefined : m.setup;
const run = typeof m === 'function' ? (_state, context) => m(context) : m.run;

(async () => {
  const state = setup ? await setup(ctx) : undefined;
  if (global.gc) global.gc(); // start the timed part from a clean heap on both sides
  const start = process.hrtime.bigint();
  const note = await run(state, ctx);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ ms, rssBytes, note: typeof note === 'string' ? note : undefined }) + '\n');
})().catch(e => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
