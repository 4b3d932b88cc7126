/**
 * Jest configuration of a line run: the construct and example tests against one cdk8s-plus line.
 *
 *   CDK8S_PLUS_LINE=32 npx jest -c test/lines/jest.config.js --ci --json --outputFile=test-reports/jest-results-plus-32.json
 *
 * --ci: a snapshot missing for the line fails instead of being written unread (jest's `ci` is a CLI flag only); the
 * line's snapshots are written with -u after every difference from line 27's was read (docs/lines.md lists the kinds).
 *
 * CDK8S_PLUS_LINE is one of the lines of packages/lines/lines.json (anything else fails naming them). The config extends
 * package.json's `jest` and:
 * - maps 'cdk8s-plus-27' (the line lib/constructs/plus/ is written against) to 'cdk8s-plus-<line>', for the constructs and
 *   for the tests that build cdk8s-plus objects themselves; the other mappings are kept (cdk8s-rootless-plus-27 is the
 *   sources, now bound to the line). Types are still checked against cdk8s-plus-27 (ts-jest reads the tsconfig, not this
 *   map): the type-level check of each line is the jsii build of its package;
 * - runs the test files whose result depends on the line (LINE_TESTS of test/lines/line-tests.js). The rule: test/constructs/**,
 *   test/examples/** and test/lines/**, and every other test file that loads the source line at run time ('cdk8s-plus-27',
 *   'cdk8s-rootless-plus-27' or lib/constructs/plus/), directly or through its helpers and examples (it synthesizes
 *   cdk8s-plus objects or the line-bound constructs), except where the subject is the repository's source text or its
 *   packaging (test/lint/**, test/release/**: they read 'cdk8s-plus-27' as text or install packages of their own). A test
 *   pinned to another line by name (test/hardening/startable-app-plus-32.test.ts) is the same in every run: main run only.
 *   test/lines/selection.test.ts checks that the list follows the rule;
 * - keeps each line's snapshots apart (test/lines/snapshot-resolver.js: `__snapshots__/plus-<line>/x.test.ts.snap`; line 27
 *   keeps the files of the main run);
 * - writes its JUnit report to test-reports/junit-plus-<line>.xml (the main run's junit.xml is left alone) and collects no
 *   coverage (the main run does). The JSON results are CLI flags: --json --outputFile=test-reports/jest-results-plus-<line>.json.
 */
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const base = require(path.join(ROOT, 'package.json')).jest;
const { source, lines } = require(path.join(ROOT, 'packages', 'lines', 'lines.json'));
const valid = lines.map(l => String(l.line));
const line = process.env.CDK8S_PLUS_LINE;
if (!valid.includes(line)) {
  throw new Error(`test/lines/jest.config.js: CDK8S_PLUS_LINE is ${line === undefined ? 'not set' : JSON.stringify(line)}; `
    + `set it to one of the lines of packages/lines/lines.json: ${valid.join(', ')} (e.g. CDK8S_PLUS_LINE=${valid[valid.length - 1]}).`);
}

const { LINE_TESTS } = require('./line-tests');

module.exports = {
  ...base,
  rootDir: ROOT,
  moduleNameMapper: {
    ...base.moduleNameMapper,
    [`^cdk8s-plus-${source}$`]: `cdk8s-plus-${line}`,
    // its files too (kplus-overrides.ts reads cdk8s-plus-27/package.json for the version its messages name)
    [`^cdk8s-plus-${source}/(.*)$`]: `cdk8s-plus-${line}/$1`,
  },
  testMatch: [
    '<rootDir>/test/constructs/**/*.test.ts',
    '<rootDir>/test/examples/**/*.test.ts',
    '<rootDir>/test/lines/**/*.test.ts',
    ...LINE_TESTS.map(f => `<rootDir>/${f}`),
  ],
  snapshotResolver: path.join(__dirname, 'snapshot-resolver.js'),
  collectCoverage: false,
  reporters: ['default', ['jest-junit', { outputDirectory: 'test-reports', outputName: `junit-plus-${line}.xml` }]],
};
