#!/usr/bin/env node
/**
 * The installed bins of the library package, `cdk8s-rootless` and `kubectl-rootless` (issue 23:
 * start-up). Runs the CLI bundled into one file, `bundle.js` (written at compile by
 * packages/cli/bin-bundle.js from `main.js`, js-yaml bundled in; the other runtime dependencies
 * stay in node_modules): one file to read and compile instead of about a hundred.
 *
 * V8's compiled code is cached on disk, so that later runs skip compiling the bundle:
 * - on a Node that has it (22.1 and later), by Node's own cache (`module.enableCompileCache(dir)`: in
 *   `NODE_COMPILE_CACHE` when set, else in the per-user folder below (`node-compile-cache` in it, used only when 0700),
 *   never Node's default, the system's shared temporary folder; it never throws, a cache it cannot
 *   write is only not used; `NODE_DISABLE_COMPILE_CACHE=1` turns it off);
 * - on Node 20, which has none, by code-cache.ts: a per-user cache folder
 *   (`$XDG_CACHE_HOME/cdk8s-rootless` or `~/.cache/cdk8s-rootless`), off with
 *   `NODE_DISABLE_COMPILE_CACHE=1` or `CDK8S_ROOTLESS_NO_COMPILE_CACHE=1` (docs/cli.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const nodeModule = require('module') as { enableCompileCache?: (dir?: string) => unknown };

type Cli = typeof import('./main');
if (typeof nodeModule.enableCompileCache === 'function') {
  // where NODE_COMPILE_CACHE says (Node enabled it at start), else in the per-user folder, never Node's default: the shared
  // temporary folder, where another user could plant a cache file
  if (!process.env.NODE_COMPILE_CACHE) {
    const dir = (require('./code-cache.js') as typeof import('./code-cache')).nodeCompileCacheDir();
    if (dir !== undefined) nodeModule.enableCompileCache(dir);
  }
  (require('./bundle.js') as Cli).main();
} else {
  const { runBundle } = require('./code-cache.js') as typeof import('./code-cache');
  (runBundle(require('path').join(__dirname, 'bundle.js'), module) as Cli).main();
}
