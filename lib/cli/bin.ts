#!/usr/bin/env node
/**
 * The installed bins of the library package, `cdk8s-rootless` and `kubectl-rootless` (issue 23:
 * start-up). Runs the CLI bundled into one file, `bundle.js` (written at compile by
 * packages/cli/bin-bundle.js from `main.js`; the runtime dependencies stay in node_modules): one
 * file to read and compile instead of about a hundred.
 *
 * On a Node that has it (22.1 and later), V8's compiled code is first cached on disk
 * (`module.enableCompileCache()`: in `NODE_COMPILE_CACHE`, else in the system's temporary folder;
 * it never throws, a cache it cannot write is only not used), so later runs skip compiling the
 * bundle. Node 20 has no such cache: nothing is called.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const nodeModule = require('module') as { enableCompileCache?: () => unknown };

if (typeof nodeModule.enableCompileCache === 'function') nodeModule.enableCompileCache();
(require('./bundle.js') as typeof import('./main')).main();
