'use strict';
/**
 * Runs `cdk8s-rootless audit` in-process through the CLI's own entry (`run` of
 * lib/cli/program.js), with the report written to a null sink.
 */
const path = require('path');
const { Readable } = require('stream');

function loadCli(root) {
  return require(path.join(root, 'lib', 'cli', 'program.js'));
}

/** Audits `file` in `format`; resolves to a one-line note on what was read. */
async function audit(cli, root, file, format) {
  let bytes = 0;
  let stderr = '';
  const stdout = { write(s) { bytes += s.length; return true; } };
  const io = {
    stdin: Readable.from([]), // never read: the inputs are files
    stdout,
    stderr: { write(s) { stderr += s; return true; } },
    cwd: root,
  };
  const code = await cli.run(['audit', file, '--format', format], io);
  if (code === 2) throw new Error(`audit failed (exit 2): ${stderr}`);
  return `Subject exit code ${code}; ${bytes} characters of ${format} report.`;
}

module.exports = { loadCli, audit };
