#!/usr/bin/env node
/**
 * Bundles the library package's CLI into one file (issue 23: start-up), run by `npx projen compile`
 * after jsii: lib/cli/main.js and every lib/ module it requires become lib/cli/bundle.js, which
 * lib/cli/bin.js (the package's bins `cdk8s-rootless` and `kubectl-rootless`) runs. Node reads and
 * compiles one file instead of about a hundred. js-yaml, which every audit loads, is bundled in
 * too (one file to compile, and covered by the code cache of lib/cli/code-cache.ts on Node 20): its
 * MIT licence text is appended to the bundle as a legal comment (it also stays a dependency: the
 * library's lib/manifests uses it). The other runtime dependencies (commander, and `yaml` and
 * `dockerfile-ast`, loaded on first use) stay external: required from node_modules as before.
 * The modules of a command or format that a run does not use are in the bundle but never run
 * (esbuild keeps each module's code in a function called on its first `require`: lib/cli/lazy.ts).
 *
 * Fails when the bundle would contain cdk8s, cdk8s-plus or constructs (docs/architecture.md,
 * "Layers"), or a file outside lib/ other than js-yaml's.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');
const { forbiddenInputs, licenseOf, packageDirOf } = require('./build');

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'lib', 'cli', 'main.js');
const OUT = path.join(ROOT, 'lib', 'cli', 'bundle.js');
/** The runtime dependencies bundled in (every audit loads them); the others stay in node_modules. */
const INLINE = ['js-yaml'];

async function main() {
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    outfile: OUT,
    absWorkingDir: ROOT,
    bundle: true,
    // node_modules other than INLINE: required at run time, as the unbundled files do
    plugins: [{
      name: 'external-but-inline',
      setup(build) {
        build.onResolve({ filter: /^[^./]/ }, args => {
          const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
          return INLINE.includes(name) ? undefined : { path: args.path, external: true };
        });
      },
    }],
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    resolveExtensions: ['.js', '.json'], // the compiled JS, never the .ts next to it
    // whitespace and syntax only: stack traces of an internal error keep their names
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
  });
  const fail = message => {
    process.stderr.write(`bin-bundle: ${message}\n`);
    process.exit(1);
  };
  if (result.warnings.length > 0) fail(`esbuild warned ${result.warnings.length} time(s)`);
  const inputs = Object.keys(result.metafile.inputs);
  const forbidden = forbiddenInputs([result.metafile]);
  if (forbidden.length > 0) fail(`the bundle would contain ${forbidden.slice(0, 5).join(', ')}: the CLI must not import cdk8s, cdk8s-plus or constructs`);
  const inlined = [...new Set(inputs.map(packageDirOf).filter(p => p !== undefined))];
  const outside = inputs.filter(f => !f.startsWith('lib/') && !INLINE.some(n => f.startsWith(`node_modules/${n}/`)));
  if (outside.length > 0) fail(`the bundle would contain files outside lib/: ${outside.slice(0, 5).join(', ')}`);
  // the licences of what is bundled in
  const notices = inlined.map(licenseOf).map(l => `/*! Bundled: ${l.name} ${l.version} (${l.license}), from node_modules/${l.name}:\n\n${l.text.replace(/\*\//g, '* /')}\n*/\n`);
  fs.appendFileSync(OUT, notices.join(''));
}

main().catch(e => {
  process.stderr.write(`bin-bundle: ${e instanceof Error ? e.stack || e.message : String(e)}\n`);
  process.exit(1);
});
