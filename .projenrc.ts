import { readFileSync } from 'fs';
import { JsonFile, TextFile, cdk8s, github, javascript, release } from 'projen';

// ---- The cdk8s-plus lines (issue 25, docs/lines.md): one construct package per line, built from lib/constructs/plus/ ----
// packages/lines/lines.json is the one table: the lines, the range each line package accepts, the version tested here.
const LINES: { source: number; lines: Array<{ line: number; peer: string; dev: string }> } = JSON.parse(readFileSync('packages/lines/lines.json', 'utf8'));

// ---- CI: promtool in every workflow that runs the tests (see the CI block below) ----
// test/constructs/monitoring/promtool.test.ts needs promtool (Debian/Ubuntu package prometheus); with CI set it fails without it.
const installPromtool = {
  name: 'Install promtool',
  run: 'sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends prometheus && promtool --version',
};

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-rootless',
  description: 'cdk8s constructs for rootless, Pod Security Standards "restricted" workloads by default, with explicit, reasoned exemptions and a PSS audit CLI.',
  author: 'cdk8s-rootless developers',
  authorAddress: 'cdk8s-rootless@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk8s-rootless/cdk8s-rootless.git',
  license: 'Apache-2.0',
  keywords: ['cdk8s', 'kubernetes', 'pod-security', 'rootless', 'security', 'pss'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // Sources in lib/, compiled in place (see docs/architecture.md, "Build layout").
  srcdir: 'lib',
  libdir: 'lib',

  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',
  minNodeVersion: '20.0.0',
  cdk8sVersion: '2.70.0',
  constructsVersion: '10.3.0',
  // The core's peers are cdk8s and constructs only: cdk8s-plus is a peer of each line package (packages/lines/).

  // Runtime helpers of the CLI: bundled into the package.
  bundledDeps: ['js-yaml@^5.5.0', 'commander@^14.0.0', 'yaml@^2.9.1', 'dockerfile-ast@^0.7.1'],
  devDeps: [
    '@types/sarif@^2.1.7', 'fast-check@^4',
    // build time only: scripts/schema-generate.mjs derives lib/policy/schema/ from its models (docs/validation.md)
    '@kubernetes/client-node@1.4.0',
    'ts-node', '@bufbuild/cel@^0.6.1', '@bufbuild/re2@0.6.1', '@prometheus-io/lezer-promql@^0.315.0', '@lezer/lr@^1.4.12', '@lezer/highlight@^1.2.0', 'cdk8s-cli@^2.207.0',
    // examples/pulumi/: type-checked with the examples, run with Pulumi's mocks by test/examples/pulumi.test.ts
    // (no engine, no cluster, no provider plugin). @pulumi/kubernetes' install script only tries
    // `pulumi plugin install` and exits 0 without the Pulumi CLI, so `npm ci` is unaffected.
    '@pulumi/pulumi@^3.142.0', '@pulumi/kubernetes@^4.34.2',
    // every cdk8s-plus line with a construct package: its build, its test run (test/lines/), and applyTo on any line
    ...LINES.lines.map(l => `cdk8s-plus-${l.line}@${l.dev}`),
    // the examples and README snippets import the line package by name, as users do: here, the sources (packages/lines/dev/)
    `cdk8s-rootless-plus-${LINES.source}@file:packages/lines/dev`,
    // packages/cli/build.js: bundles the CLI package (cdk8s-rootless-cli)
    'esbuild@^0.28.0',
  ],

  // lib/cli/bin.js runs lib/cli/bundle.js, the CLI in one file (packages/cli/bin-bundle.js, at compile)
  bin: {
    'cdk8s-rootless': 'lib/cli/bin.js',
    'kubectl-rootless': 'lib/cli/bin.js',
  },

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    // CI reads the machine-readable results (.ci/run prints "N passed, N failed").
    extraCliOptions: ['--json', '--outputFile=test-reports/jest-results.json'],
    jestConfig: {
      // lib/ holds both .ts sources and compiled .js: resolve .ts first so tests never run stale output.
      moduleFileExtensions: ['ts', 'js', 'json', 'node'],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
      // dist/ holds build output with package.json files of its own (dist/lines/: the staged line packages, same names)
      modulePathIgnorePatterns: ['<rootDir>/dist/'],
      // the examples (and README snippets) import the package by name: run them against the sources, not stale output
      moduleNameMapper: {
        '^cdk8s-rootless$': '<rootDir>/lib/index.ts',
        [`^cdk8s-rootless-plus-${LINES.source}$`]: '<rootDir>/lib/constructs/plus/index.ts',
      },
    },
  },
  tsconfigDev: {
    compilerOptions: {
      module: 'node16',
      moduleResolution: javascript.TypeScriptModuleResolution.NODE16,
    },
  },
  gitignore: ['/dist/examples/', '/test-reports/', '/bench/out/'],
  docgen: true,

  // Release (docs/release.md): a maintainer starts it (Actions > release > Run workflow; a dry run
  // is an input of that form). It bumps the version from the conventional commits since the last tag
  // (commit-and-tag-version), builds, tags, releases on GitHub (notes from dist/changelog.md) and
  // publishes every package: npm (the library, and the CLI package cdk8s-rootless-cli, both with a
  // provenance statement: NPM_TOKEN secret and `id-token: write`), PyPI (trusted publishing, with
  // attestations), Maven Central, NuGet and the Go module repository. The first release is v0.0.0.
  // 0.x line: a breaking change (`feat!:`, `BREAKING CHANGE:`) bumps the minor version, a feat or fix
  // the patch version (commit-and-tag-version's pre-major rule), and a bump out of 0.x fails the
  // release; set majorVersion: 1 to leave it.
  release: true,
  releaseTrigger: release.ReleaseTrigger.workflowDispatch(),
  majorVersion: 0,
  releaseToNpm: true,
  npmProvenance: true,
  npmAccess: javascript.NpmAccess.PUBLIC,

  // jsii language targets, named as cdk8s and cdk8s-plus name theirs (distName = the npm name, module
  // and namespaces from it), under this project's own namespaces: it is not published by cdk8s-team,
  // so not under org.cdk8s / Org.Cdk8s. Maven Central verifies io.github.<GitHub organisation>.
  publishToPypi: {
    distName: 'cdk8s-rootless',
    module: 'cdk8s_rootless',
    trustedPublishing: true,
  },
  publishToMaven: {
    javaPackage: 'io.github.cdk8s_rootless',
    mavenGroupId: 'io.github.cdk8s-rootless',
    mavenArtifactId: 'cdk8s-rootless',
  },
  publishToNuget: {
    dotNetNamespace: 'Cdk8sRootless',
    packageId: 'Cdk8sRootless',
  },
  // Go: jsii-pacmak pushes the generated module to its own repository (as cdk8s-plus-go and
  // cdk8s-core-go): `import "github.com/cdk8s-rootless/cdk8s-rootless-go/cdk8srootless"`.
  publishToGo: {
    moduleName: 'github.com/cdk8s-rootless/cdk8s-rootless-go',
  },
  // jsii-diff against the latest published version: wired into `package` (so `build`) below, not into every compile.
  compat: false,
  compatIgnore: '.compatignore',
  // Node of the GitHub workflows (build and release): 24.x, an LTS line jsii supports (it warns on 20,
  // which reached end of life); the build workflow's matrix still runs the tests on 20, 22, 24 and 26.
  workflowNodeVersion: '24.x',
  buildWorkflowOptions: { preBuildSteps: [installPromtool] }, // CI: promtool
  releaseWorkflowSetupSteps: [installPromtool], // CI: promtool
  githubOptions: { mergify: false },
  depsUpgrade: false,
});

// The package's entry points. `exports` also lets the package import itself by name (Node's
// self-reference): the examples import from 'cdk8s-rootless', exactly as a user copies them, and run
// that way in `npm run examples` (jest maps the name to the sources, see moduleNameMapper above).
// Deep paths into lib/ stay importable with their file name (`cdk8s-rootless/lib/plugin` for the plugin).
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './lib/plugin': { types: './lib/plugin/index.d.ts', default: './lib/plugin/index.js' },
  './lib/*': './lib/*',
  './package.json': './package.json',
  './.jsii': './.jsii',
});

// Compiled output lives next to the sources: never commit it, never ship the .ts sources.
project.gitignore.exclude('/lib/**/*.js', '/lib/**/*.d.ts', '!/lib/**/*.d.ts.keep');
project.npmignore?.removePatterns('/lib/');
project.npmignore?.exclude('/lib/**/*.ts', '/examples/', '/bench/', '/.ci/', '/test-reports/', '/.compatignore', '/packages/');
project.npmignore?.include('/lib/**/*.js', '/lib/**/*.d.ts');
// lib/constructs/plus/ is not the core's: each line's package holds it, compiled against its own cdk8s-plus (packages/lines/);
// after the include above, which it overrides (the last matching pattern wins)
project.npmignore?.exclude('/lib/constructs/plus/**');

// Stale .js/.d.ts in lib/ (from a renamed or deleted source) must not survive a compile. jsii's
// warnings fail the compile (--fail-on-warnings): they become API defects in the language targets.
project.compileTask.reset("find lib -type f \\( -name '*.js' -o -name '*.d.ts' \\) -delete");
project.compileTask.exec('jsii --fail-on-warnings --silence-warnings=reserved-word');
// The bins run the CLI bundled into one file, lib/cli/bundle.js (start-up: issue 23; lib/cli/bin.ts).
project.compileTask.exec('node packages/cli/bin-bundle.js');

// The examples and the README snippets import the line package by name ('cdk8s-rootless-plus-27'), exactly as a user
// writes them; in this repository the name is this package, a devDependency (`file:`) whose entry point is the sources'
// compiled lib/constructs/plus/ (jest maps the name to the .ts sources). Never published: packages/lines/build.js
// builds the real line packages.
new JsonFile(project, 'packages/lines/dev/package.json', {
  obj: {
    name: `cdk8s-rootless-plus-${LINES.source}`,
    private: true,
    version: '0.0.0',
    description: `Development only: the sources of the cdk8s-plus-${LINES.source} constructs under their package name (examples, README snippets)`,
    main: 'index.js',
    types: 'index.d.ts',
  },
});
// (files of their own: TypeScript reads `types` relative to the link in node_modules/, Node relative to its target)
new TextFile(project, 'packages/lines/dev/index.js', { lines: ["module.exports = require('../../../lib/constructs/plus/index.js');"] });
new TextFile(project, 'packages/lines/dev/index.d.ts', { lines: ["export * from '../../../lib/constructs/plus';"] });

// Each cdk8s-plus line keeps its own snapshot files (__snapshots__/plus-NN/, test/lines/): this run, the source line's,
// resolves them to their tests, so that jest --ci does not take the other lines' files for obsolete ones (and fail).
project.jest?.addSnapshotResolver('./test/lines/snapshot-resolver.js');

// The examples are TypeScript apps as users write them: give them a tsconfig, lint and type-check them.
new JsonFile(project, 'examples/tsconfig.json', {
  obj: {
    extends: '../tsconfig.json',
    compilerOptions: { noEmit: true, rootDir: '..' },
    include: ['**/*.ts'],
  },
});
project.eslint?.addLintPattern('examples');
// The examples are a user's apps: they import packages that are devDependencies here and dependencies of the user's
// project (cdk8s-plus-27 and the line package cdk8s-rootless-plus-27; examples/pulumi/ the Pulumi packages).
project.eslint?.addOverride({
  files: ['examples/**/*.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
});

// ts-jest transpiles tests without type-checking them (isolatedModules): type-check them (and the examples) here.
project.testTask.prependExec('tsc --noEmit -p examples/tsconfig.json');
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');
// Tests spawn the compiled CLI and examples: compile first, so `npm test` is true on a fresh clone.
project.testTask.prependSpawn(project.compileTask);

// The main job: synthesize and audit the examples.
project.addTask('examples', {
  description: 'Synthesize the examples into dist/examples/ and audit them',
}).spawn(project.compileTask);
project.tasks.tryFind('examples')!.exec('node examples/run.js');

// API compatibility (jsii-diff, `npx projen compat`): the assembly built here against the latest
// version on npm; breaking changes to stable APIs fail unless listed in .compatignore. It runs in
// `package` (the last step of `build`: so in the PR build workflow and before every release), not in
// `compile`: every local compile, test run and benchmark would otherwise download the previous version
// from npm. Until the first release it prints "NPM package does not exist. Skipping analysis" and succeeds.
// (`package` is defined in the block "Packages" below.)

// ---- CI: the Node.js lines users run, the newest peer versions, promtool (docs/architecture.md "CI") ----
// The lines the suite runs on: the build workflow's matrix and .ci/run (the machine's Node and 26).
// Node 20 reached end of life on 2026-04-30 but is still tested; 22 and 24 are maintenance LTS lines,
// 26 the active LTS line. `engines` is `>= 20.0.0` (minNodeVersion, no maxNodeVersion): no upper cap,
// so npm does not warn on a newer line (README, "Supported Node.js versions").
const NODE_LINES = ['20', '22', '24', '26'];
// jsii's banners about the Node line it runs on (@jsii/check-node): Node 20 is past jsii's support
// window ("end-of-life", silenced per major version by JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION)
// and 26 is newer than jsii's table ("untested", JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION, a switch
// for every untested line). Both are lines this project tests on purpose: keep every task (compile,
// package, docgen) quiet about them. jsii's own compiler warnings are not affected (`--fail-on-warnings`).
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
project.tasks.addEnvironment('JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION', 'true');
project.buildWorkflow?.addPostBuildJob('test-node-lines', {
  name: 'test on Node ${{ matrix.node }}',
  runsOn: ['ubuntu-latest'],
  permissions: { contents: github.workflows.JobPermission.READ },
  env: { CI: 'true' },
  strategy: { failFast: false, matrix: { domain: { node: NODE_LINES.map(v => `${v}.x`) } } },
  steps: [
    { name: 'Checkout', uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1', with: { ref: '${{ github.event.pull_request.head.ref }}', repository: '${{ github.event.pull_request.head.repo.full_name }}' } },
    { name: 'Setup Node.js', uses: 'actions/setup-node@v7.0.0', with: { 'node-version': '${{ matrix.node }}', 'package-manager-cache': false } },
    installPromtool,
    { name: 'Install dependencies', run: 'npm ci' },
    { name: 'test', run: 'npx projen test' },
  ],
});
project.buildWorkflow?.addPostBuildJob('test-newest-peers', {
  name: 'test with the newest cdk8s, constructs and cdk8s-plus lines the peer ranges admit',
  runsOn: ['ubuntu-latest'],
  permissions: { contents: github.workflows.JobPermission.READ },
  env: { CI: 'true' },
  steps: [
    { name: 'Checkout', uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1', with: { ref: '${{ github.event.pull_request.head.ref }}', repository: '${{ github.event.pull_request.head.repo.full_name }}' } },
    { name: 'Setup Node.js', uses: 'actions/setup-node@v7.0.0', with: { 'node-version': `${NODE_LINES[NODE_LINES.length - 1]}.x`, 'package-manager-cache': false } },
    installPromtool,
    { name: 'Install dependencies', run: 'npm ci && .ci/install-newest-peers' },
    { name: 'test', run: 'npx projen test' },
  ],
});
// ---- end of CI ---------------------------------------------------------------------------------------

// ---- Layers, enforced by lint (docs/architecture.md "Layers") ---------------------------------
// import/no-restricted-paths matches the resolved file of each import: a package import resolves into
// node_modules/<package>. It sees direct imports; the CLI spawn tests check what the CLI loads in all.
const PACKAGES_OF_THE_CONSTRUCTS = ['./node_modules/cdk8s', './node_modules/constructs', ...LINES.lines.map(l => `./node_modules/cdk8s-plus-${l.line}`)];
const PACKAGES_OF_THE_LINES = LINES.lines.map(l => `./node_modules/cdk8s-plus-${l.line}`);
/**
 * The layers as folder rules: each folder of lib/, what it is, and the other folders it may import. Every
 * folder but lib/constructs/ is pure (no cdk8s, cdk8s-plus or constructs); lib/index.ts, the core package's entry
 * point, re-exports them all but lib/constructs/plus/, the only importer of cdk8s-plus (one package per line, built
 * from it by packages/lines/build.js). test/lint/layers.test.ts reads this table from the generated configuration.
 */
const LAYERS: Array<{ folder: string; what: string; may: string[] }> = [
  { folder: 'policy', what: 'The policy engine (lib/policy/)', may: [] },
  { folder: 'manifests', what: 'The reader (lib/manifests/)', may: ['policy'] },
  { folder: 'exemptions', what: 'The exemption model (lib/exemptions/)', may: ['policy', 'hardening'] },
  { folder: 'hardening', what: 'The hardening model (lib/hardening/)', may: ['policy', 'exemptions'] },
  { folder: 'admission', what: 'The admission policy\'s CEL (lib/admission/)', may: ['policy', 'exemptions', 'hardening'] },
  { folder: 'cli', what: 'The CLI (lib/cli/)', may: ['policy', 'manifests', 'exemptions', 'hardening'] },
  { folder: 'plugin', what: 'The validation plugin (lib/plugin/)', may: ['policy', 'manifests', 'exemptions', 'hardening'] },
  { folder: 'constructs', what: 'The constructs (lib/constructs/)', may: ['policy', 'manifests', 'exemptions', 'hardening', 'admission'] },
];
const PURE = LAYERS.filter(l => l.folder !== 'constructs');
/** Everything of lib/ that is in the core package: all but lib/constructs/plus/ (globs of files). */
const CORE_OF_CONSTRUCTS = ['./lib/index.ts', './lib/constructs/*.ts', './lib/constructs/internal/**'];
project.eslint?.addRules({
  'import/no-restricted-paths': ['error', {
    zones: [
      ...LAYERS.map(l => ({
        target: `./lib/${l.folder}`,
        from: './lib',
        except: [`./${l.folder}`, ...l.may.map(m => `./${m}`)],
        message: `${l.what} imports only ${l.may.length ? l.may.map(m => `lib/${m}/`).join(', ') : 'itself'} of the library: see docs/architecture.md "Layers".`,
      })),
      {
        target: PURE.map(l => `./lib/${l.folder}`),
        from: PACKAGES_OF_THE_CONSTRUCTS,
        message: 'Only lib/constructs/ imports cdk8s, cdk8s-plus or constructs: the other folders are pure (the CLI and the plugin load them; start-up time; the plugin runs inside cdk8s-cli): see docs/architecture.md "Layers".',
      },
      // the core package works with every cdk8s-plus line: only lib/constructs/plus/ (a package per line) imports one
      ...CORE_OF_CONSTRUCTS.map(target => ({
        target,
        from: PACKAGES_OF_THE_LINES,
        message: 'Only lib/constructs/plus/ imports cdk8s-plus: the rest of lib/ is the core package, which works with every cdk8s-plus line (docs/lines.md): see docs/architecture.md "Layers".',
      })),
      ...CORE_OF_CONSTRUCTS.map(target => ({
        target,
        from: './lib/constructs/plus',
        message: 'The core does not import lib/constructs/plus/ (built once per cdk8s-plus line into its own package): ask the identity index or a table of the core instead; see docs/architecture.md "Layers".',
      })),
    ],
  }],
});
// The import rules follow the TypeScript sources, not the compiled .js next to them (jsii compiles in place):
// node's resolver, which projen lists first, would resolve './x' to x.js, whose require() calls import/no-cycle
// does not follow, so a cycle would pass unseen once compiled.
project.eslint?.file.addOverride('settings.import/resolver.node', { extensions: ['.ts', '.tsx', '.d.ts', '.js', '.json', '.node'] });
// lib/constructs/plus/ imports cdk8s-plus-27, a devDependency here: each line's package peers its own cdk8s-plus
// (packages/lines/). The lint reads those peers from a manifest of their own, never installed (packages/lines/peers/).
new JsonFile(project, 'packages/lines/peers/package.json', {
  obj: {
    name: 'cdk8s-rootless-plus-peers',
    private: true,
    description: 'Lint only (import/no-extraneous-dependencies of lib/constructs/plus/): the peers of the line packages; never installed',
    peerDependencies: Object.fromEntries(LINES.lines.map(l => [`cdk8s-plus-${l.line}`, l.peer])),
  },
});
project.eslint?.addOverride({
  files: ['lib/constructs/plus/**/*.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: false, optionalDependencies: false, peerDependencies: true, packageDir: ['.', './packages/lines/peers'] }] },
});
// No import cycle, between files or through folders (test/lint/cycles.test.ts proves the rule fires).
project.eslint?.addOverride({
  files: ['lib/**/*.ts'],
  rules: { 'import/no-cycle': ['error', { ignoreExternal: true }] },
});
// No source file in lib/ over 500 lines (comments and blank lines count): a longer file does more than one job; split it by responsibility.
project.eslint?.addOverride({
  files: ['lib/**/*.ts'],
  rules: { 'max-lines': ['error', { max: 500, skipBlankLines: false, skipComments: false }] },
});
// Exemption kinds are data in one folder (docs/architecture.md, "The exemption model"): no file outside lib/exemptions/
// names a kind (`ExemptionKind.X`, or through an alias): it asks the registry by the field or the check instead.
project.eslint?.addOverride({
  files: ['lib/**/*.ts'],
  excludedFiles: ['lib/exemptions/**'],
  rules: {
    'no-restricted-syntax': ['error',
      {
        selector: "MemberExpression[object.name='ExemptionKind'], MemberExpression[object.property.name='ExemptionKind']",
        message: 'Only lib/exemptions/ names an exemption kind: ask the registry by the field or the check (relaxesField, kindsRelaxing, acceptsField); see docs/architecture.md "How to add… an exemption kind".',
      },
      {
        selector: "ImportSpecifier[imported.name='ExemptionKind'][local.name!='ExemptionKind']",
        message: 'Only lib/exemptions/ names an exemption kind: do not alias ExemptionKind; see docs/architecture.md "How to add… an exemption kind".',
      }],
  },
});
// ---- end of layers ---------------------------------------------------------------------------------

// ---- Packages (docs/release.md) ----------------------------------------------------------------------
// The CLI package of its own, cdk8s-rootless-cli (packages/cli/): the compiled CLI bundled with esbuild,
// no dependencies, so `npm install -g cdk8s-rootless-cli` does not pull the cdk8s peers. Built from the
// compiled lib/cli/ (like package:js from lib/ and .jsii), into dist/packages/.
const packageCli = project.addTask('package:cli', {
  description: 'Bundle the CLI package cdk8s-rootless-cli (packages/cli/) into dist/packages/',
  exec: 'node packages/cli/build.js',
});
// `package`, the last step of `build` (locally, in the build workflow and in the release job): the API
// compatibility check (`compat`, above), then the two npm packages. The CLI's tarball travels in the
// build artifact in dist/packages/, not dist/js/, whose single tarball the language jobs extract.
// projen's default ran `package-all` outside CI, which now needs Python, Maven, .NET and Go: the
// workflows' language jobs build those packages (and `npx projen package-all` where the toolchains are).
// One construct package per cdk8s-plus line (issue 25, docs/lines.md): lib/constructs/plus/ bound to each line of
// packages/lines/lines.json, compiled with jsii against the core and that line, packed into dist/packages/.
const packageLines = project.addTask('package:lines', {
  description: 'Build the construct package of every cdk8s-plus line (cdk8s-rootless-plus-NN) into dist/packages/; jsii-diff between lines',
  exec: 'node packages/lines/build.js',
});
// jsii-diff between the lines' packages: exactly the differences packages/lines/differences.json documents (docs/lines.md)
packageLines.exec('node packages/lines/diff.js');
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('compat')!);
project.packageTask.spawn(project.tasks.tryFind('package:js')!);
project.packageTask.spawn(packageCli);
project.packageTask.spawn(packageLines);
// Every tarball published to npm, in dist/packages/: the core's (jsii-pacmak), the CLI's and one per cdk8s-plus line.
// The language packages (PyPI, Maven, NuGet, Go) are built by `package-all` or the release workflow, which
// have their toolchains; `.ci/run` generates their code with `jsii-pacmak --code-only`.
const packageAll = project.addTask('package:all', {
  description: 'Write every npm tarball the project publishes (core, CLI, a construct package per cdk8s-plus line) into dist/packages/',
});
packageAll.spawn(project.tasks.tryFind('package:js')!);
packageAll.spawn(packageCli);
packageAll.spawn(packageLines);
packageAll.exec('mkdir -p dist/packages && cp dist/js/*.tgz dist/packages/ && ls -l dist/packages/');

// The code of the four jsii language packages, generated as the release jobs generate it but without
// their toolchains (`--code-only`), into dist/codegen/; any jsii-pacmak error or warning fails it.
// `.ci/run` runs it once (building and publishing the language packages is the release workflow's job).
project.addTask('codegen', {
  description: 'Generate the Python, Java, .NET and Go code of the jsii targets into dist/codegen/ (no toolchains); fail on any warning',
  exec: 'node packages/languages/codegen.js',
});

// The build workflow tests the packages as users install them (the CLI package, each line package with the core), once,
// after the build packed them (.ci/run does the same in its stage "packages test").
project.buildWorkflow?.addPostBuildSteps({ name: 'packages test', run: "npx jest --ci --testMatch '<rootDir>/test/release/*.ci.ts'" });

/**
 * A job of the release workflow next to projen's release_npm (which publishes dist/js/, the core): the same trigger,
 * condition, dry-run input and provenance, publishing the tarballs of dist/packages/ that `glob` selects (publib-npm
 * publishes every tarball of dist/js/: there, only those).
 */
function npmReleaseJob(name: string, what: string, glob: string): github.workflows.Job {
  return {
    name,
    needs: ['release'],
    runsOn: ['ubuntu-latest'],
    permissions: { idToken: github.workflows.JobPermission.WRITE, contents: github.workflows.JobPermission.READ },
    if: "needs.release.outputs.tag_exists != 'true' && needs.release.outputs.latest_commit == github.sha",
    steps: [
      { uses: 'actions/setup-node@v7.0.0', with: { 'node-version': '24.x', 'package-manager-cache': false } },
      {
        name: 'Download build artifacts',
        uses: 'actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c',
        with: { 'artifact-ids': '${{ needs.release.outputs.artifact_id }}', 'path': 'dist' },
      },
      { name: `Select ${what}`, run: `rm -rf dist/js && mkdir -p dist/js && mv dist/packages/${glob} dist/js/ && ls -l dist/js` },
      {
        name: 'Release',
        env: {
          NPM_DIST_TAG: 'latest',
          NPM_REGISTRY: 'registry.npmjs.org',
          NPM_CONFIG_PROVENANCE: 'true',
          NPM_TOKEN: '${{ secrets.NPM_TOKEN }}',
          PUBLIB_DRYRUN: '${{ inputs.dry_run }}',
        },
        run: "npx -p 'publib@latest' publib-npm",
      },
    ],
  };
}
// The CLI package, and every line package (cdk8s-rootless-plus-NN, packages/lines/). The line packages' language packages
// (PyPI, Maven, NuGet, Go) are generated by `npx projen codegen` (each line under its own names); publishing them needs
// a job per language and line, not wired yet (docs/release.md).
project.release?.addJobs({
  release_npm_cli: npmReleaseJob('Publish the CLI package (cdk8s-rootless-cli) to npm', 'the CLI tarball', 'cdk8s-rootless-cli-*.tgz'),
  release_npm_lines: npmReleaseJob('Publish the construct package of every cdk8s-plus line (cdk8s-rootless-plus-NN) to npm',
    'the line packages\' tarballs', 'cdk8s-rootless-plus-*.tgz'),
});
// ---- end of packages ---------------------------------------------------------------------------------

// The API validation's field sets (lib/policy/schema/table.generated.ts) come from @kubernetes/client-node's
// models (a devDependency): regenerate after bumping it; test/policy/schema.test.ts checks the committed table.
project.addTask('schema:generate', {
  description: 'Regenerate lib/policy/schema/table.generated.ts from @kubernetes/client-node (docs/validation.md)',
  exec: 'node scripts/schema-generate.mjs',
});
project.npmignore?.exclude('/scripts/');

project.addTask('bench', {
  description: 'Run the benchmarks (ratios against baselines measured in the same run)',
}).spawn(project.compileTask);
project.tasks.tryFind('bench')!.exec('node bench/run.js');
// Where the time goes (issue 23): each command under `node --cpu-prof`, self time per stage (bench/profile.js)
project.addTask('bench:profile', {
  description: 'Profile each benchmarked command (node --cpu-prof) and print the self time per stage',
}).spawn(project.compileTask);
project.tasks.tryFind('bench:profile')!.exec('node bench/profile.js');

// kubectl as the oracle of the reader (test/manifests/oracle/): its own jest config, run once per CI run,
// not in every jest run. `oracle:record` asks the kubectl on PATH again and rewrites recorded.json.
project.addTask('oracle', {
  description: 'Compare the YAML reader with kubectl (recorded outcomes; live too when kubectl is on PATH)',
  exec: 'jest --config test/manifests/oracle/jest.config.json --coverage=false',
});
project.addTask('oracle:record', {
  description: 'Record kubectl\'s outcomes for the reader\'s oracle test (needs kubectl on PATH)',
  env: { ORACLE_RECORD: '1' },
  exec: 'jest --config test/manifests/oracle/jest.config.json --coverage=false',
});

project.synth();
