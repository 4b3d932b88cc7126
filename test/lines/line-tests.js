/**
 * The test files of a line run (test/lines/jest.config.js) beside test/constructs/**, test/examples/** and test/lines/**:
 * every other test file that loads the source line at run time ('cdk8s-plus-27', 'cdk8s-rootless-plus-27' or a module of
 * lib/constructs/plus/), directly or through the test's own helpers and examples, except test/lint/** and test/release/**
 * (their subject is the source text and the packaging). A test pinned to another line by name (e.g. cdk8s-plus-32) is the
 * same in every run and stays in the main run only. test/lines/selection.test.ts checks that this list follows the rule.
 */
exports.LINE_TESTS = [
  'test/exemptions/effects.test.ts',
  'test/exemptions/throw-away-kind.test.ts',
  'test/hardening/capabilities-reach.test.ts',
  'test/hardening/defaults.test.ts',
  'test/hardening/errors.test.ts',
  'test/hardening/examples.test.ts',
  'test/hardening/exemption-model.test.ts',
  'test/hardening/exemptions.test.ts',
  'test/hardening/host-path.test.ts',
  'test/hardening/mysql-datadir.test.ts',
  'test/hardening/paths-modes.test.ts',
  'test/hardening/properties.test.ts',
  'test/hardening/shared-rules.test.ts',
  'test/hardening/startable-app.test.ts',
  'test/hardening/user-notes.test.ts',
  'test/hardening/user-rule.property.test.ts',
  'test/hardening/user-rule.test.ts',
  'test/redteam/apply-to.test.ts',
  'test/redteam/host-path.test.ts',
  'test/redteam/mutation.test.ts',
  'test/redteam/output-verifier.test.ts',
  'test/redteam/reason.test.ts',
  'test/redteam/startability.test.ts',
  'test/redteam/synthesis-timing.test.ts',
  'test/redteam/token-path.test.ts',
  'test/redteam/user-rule.test.ts',
  'test/redteam/validation.test.ts',
  'test/redteam/verify-speed.test.ts',
];
