#!/usr/bin/env node
/**
 * Executable of `cdk8s-rootless` and `kubectl-rootless` (so `kubectl rootless audit` works).
 */
import * as path from 'path';
import { run } from './program';

export { run };

if (require.main === module) {
  // `head` closing the pipe is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const invokedAs = path.basename(process.argv[1] ?? '').replace(/\.js$/, '');
  const programName = invokedAs === 'kubectl-rootless' ? 'kubectl rootless' : 'cdk8s-rootless';
  run(process.argv.slice(2), undefined, programName).then(code => {
    process.exitCode = code;
  }, (e: unknown) => {
    process.stderr.write(`internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
}
