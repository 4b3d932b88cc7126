#!/usr/bin/env node
/**
 * Builds the CLI package cdk8s-rootless-cli (`npx projen package:cli`): the compiled CLI of this
 * repository (lib/cli/main.js, from `npx projen compile`) bundled with esbuild into one file with its
 * runtime dependencies, so that the package has no dependencies at all (no cdk8s peers: the CLI never
 * loads them). Writes the package into dist/cli/ and its tarball into dist/packages/.
 *
 * Layout of the package (the same relative paths as in the library package, so lib/cli/report/report.ts finds
 * the package's version at `lib/cli/../../package.json`):
 *   lib/cli/main.js                   the CLI and what every command loads (commander, js-yaml, policy)
 *   lib/cli/vendor/yaml.js            `yaml` (harden only) and
 *   lib/cli/vendor/dockerfile-ast.js  `dockerfile-ast` (Dockerfiles only), loaded on first use as
 *                                     lib/cli/lazy.ts loads them: own files, so an audit of manifests
 *                                     never reads them.
 *   THIRD-PARTY-NOTICES.md            the licences of the bundled packages.
 *
 * Fails when the bundle would contain cdk8s, cdk8s-plus or constructs (docs/architecture.md, "Layers").
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'dist', 'cli');
const PACKAGES = path.join(ROOT, 'dist', 'packages');
const ENTRY = path.join(ROOT, 'lib', 'cli', 'main.js');

/** Loaded on first use (lib/cli/lazy.ts): each gets a bundle of its own, required by relative path. */
const LAZY = ['yaml', 'dockerfile-ast'];
/** Never in the CLI (lint enforces it on the imports; this checks what was actually bundled): the cdk8s packages and the library's entry point, which loads them. */
const FORBIDDEN = /(^|\/)node_modules\/(cdk8s|cdk8s-plus-\d+|constructs)\/|^lib\/index\.js$/;

function fail(message) {
  process.stderr.write(`package:cli: ${message}\n`);
  process.exit(1);
}

/** The folder (relative to the root) of the node_modules package that holds `input` (an esbuild metafile path), or undefined for our own files. */
function packageDirOf(input) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m ? m[1] : undefined;
}

async function bundle(entry, outfile, external) {
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile,
    absWorkingDir: ROOT, // metafile paths relative to the root: lib/..., node_modules/...
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // the compiled JS (what the library package ships and its tests run), never the .ts next to it
    resolveExtensions: ['.js', '.json'],
    // whitespace and syntax only: stack traces of an internal error keep their names
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none', // the licences are in THIRD-PARTY-NOTICES.md
    metafile: true,
    logLevel: 'warning',
    plugins: external.length === 0 ? [] : [{
      name: 'lazy-vendor',
      setup(build) {
        // `require('yaml')` in lib/cli/lazy.ts becomes `require('./vendor/yaml.js')`: a file of its own
        build.onResolve({ filter: new RegExp(`^(${external.join('|')})$`) }, args => ({ path: `./vendor/${args.path}.js`, external: true }));
      },
    }],
  });
  const warnings = result.warnings.length;
  if (warnings > 0) fail(`esbuild warned ${warnings} time(s) bundling ${path.relative(ROOT, entry)}`);
  return result.metafile;
}

/** The inputs of esbuild metafiles that must never be in the CLI's bundle. */
function forbiddenInputs(metafiles) {
  return metafiles.flatMap(m => Object.keys(m.inputs)).filter(f => FORBIDDEN.test(f));
}

/** Name, version, licence and licence text (LICENSE, LICENCE, LICENSE.md, ...) of a package folder. */
function licenseOf(packageDir) {
  const dir = path.join(ROOT, packageDir);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const file = fs.readdirSync(dir).find(f => /^licen[cs]e(\.(md|txt))?$/i.test(f));
  if (!file) fail(`no licence file in ${packageDir} (${manifest.license}): cannot bundle it without its notice`);
  return { name: manifest.name, version: manifest.version, license: manifest.license, text: fs.readFileSync(path.join(dir, file), 'utf8').trim() };
}

async function main() {
  if (!fs.existsSync(ENTRY)) fail(`${path.relative(ROOT, ENTRY)} is missing: compile first (npx projen compile)`);
  const library = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const template = JSON.parse(fs.readFileSync(path.join(__dirname, 'package.template.json'), 'utf8'));

  fs.rmSync(OUT, { recursive: true, force: true });
  const cliDir = path.join(OUT, 'lib', 'cli');

  const metafiles = [await bundle(ENTRY, path.join(cliDir, 'main.js'), LAZY)];
  for (const name of LAZY) {
    metafiles.push(await bundle(require.resolve(name, { paths: [ROOT] }), path.join(cliDir, 'vendor', `${name}.js`), []));
  }

  const inputs = metafiles.flatMap(m => Object.keys(m.inputs));
  const forbidden = forbiddenInputs(metafiles);
  if (forbidden.length > 0) fail(`the bundle would contain ${forbidden.slice(0, 5).join(', ')}: the CLI must not import cdk8s, cdk8s-plus or constructs`);
  const ownFiles = inputs.filter(f => packageDirOf(f) === undefined);
  const outside = ownFiles.filter(f => !f.startsWith('lib/'));
  if (outside.length > 0) fail(`the bundle would contain files outside lib/: ${outside.slice(0, 5).join(', ')}`);

  // what went into which file, for test/release/cli-package.ci.ts
  const contents = {};
  metafiles.forEach(m => {
    for (const [file, output] of Object.entries(m.outputs)) contents[path.relative(OUT, path.resolve(ROOT, file))] = Object.keys(output.inputs);
  });
  fs.writeFileSync(path.join(ROOT, 'dist', 'cli-bundle.json'), JSON.stringify(contents, null, 2) + '\n');

  // the package manifest: the template, the library's version and Node range, no dependencies
  const manifest = { ...template, version: library.version, engines: library.engines };
  delete manifest['//'];
  fs.writeFileSync(path.join(OUT, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  fs.copyFileSync(path.join(__dirname, 'README.md'), path.join(OUT, 'README.md'));
  fs.copyFileSync(path.join(ROOT, 'LICENSE'), path.join(OUT, 'LICENSE'));

  const licenses = [...new Set(inputs.map(packageDirOf).filter(p => p !== undefined))].map(licenseOf).sort((a, b) => a.name.localeCompare(b.name));
  const bundled = licenses.map(l => `${l.name}@${l.version}`);
  const notices = licenses.map(l => `## ${l.name} ${l.version} (${l.license})\n\n\`\`\`\n${l.text}\n\`\`\`\n`);
  fs.writeFileSync(path.join(OUT, 'THIRD-PARTY-NOTICES.md'),
    `# Third-party notices\n\n${manifest.name} bundles these packages (lib/cli/main.js, lib/cli/vendor/):\n\n${notices.join('\n')}`);

  fs.chmodSync(path.join(cliDir, 'main.js'), 0o755);
  fs.mkdirSync(PACKAGES, { recursive: true });
  for (const f of fs.readdirSync(PACKAGES)) if (f.startsWith(`${manifest.name}-`) && f.endsWith('.tgz')) fs.rmSync(path.join(PACKAGES, f));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', PACKAGES], {
    cwd: OUT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  }))[0];
  process.stdout.write(`${path.relative(ROOT, path.join(PACKAGES, packed.filename))}: ${packed.entryCount} files, `
    + `${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked; bundles ${bundled.join(', ')}\n`);
}

if (require.main === module) {
  main().catch(e => fail(e instanceof Error ? e.stack || e.message : String(e)));
}

// for test/release/cli-package.ci.ts: the same bundling and the same check, on a probe
module.exports = { bundle, forbiddenInputs, licenseOf, packageDirOf };
