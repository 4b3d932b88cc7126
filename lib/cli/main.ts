#!/usr/bin/env node
/**
 * The command line as a program: `main()` runs it on `process.argv` and sets the exit code. The
 * installed bins (`cdk8s-rootless`, `kubectl-rootless`, so `kubectl rootless audit` works) are
 * `bin.ts`, which runs `main()` of this file bundled into one file (`bundle.js`, built at compile
 * by packages/cli/bin-bundle.js); `node lib/cli/main.js` runs the same, file by file.
 */
import * as path from 'path';
import { run } from './program';

export { run };

/** Runs the command line on `process.argv` (the program's name from the bin it was started as). */
export function main(): void {
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

if (require.main === module) main();
