/**
 * No import cycle in lib/: eslint's `import/no-cycle`, configured in .projenrc.ts for `lib/**\/*.ts` and
 * generated into .eslintrc.json. This suite proves the generated rule fires: it lints a probe placed at
 * the path of a real module (nothing is written), whose source imports a module that imports that path
 * back, so the resolver walks the real files from there. `npm test` lints the real sources with it.
 */
import { generatedConfig, probeLinter, ruleMessages } from './probe';

const RULE = 'import/no-cycle';
const config = generatedConfig();
const overrides = (config.overrides ?? []).filter((o: any) => o.rules?.[RULE] !== undefined);
const eslint = probeLinter({
  plugins: ['import'],
  settings: config.settings,
  overrides: overrides.map((o: any) => ({ files: o.files, rules: { [RULE]: o.rules[RULE] } })),
});

test('the rule is generated once, for lib/**/*.ts, as an error', () => {
  expect(overrides).toHaveLength(1);
  expect(overrides[0].files).toEqual(['lib/**/*.ts']);
  expect(overrides[0].rules[RULE][0]).toBe('error');
});

test.each([
  // [the probe's path (a real module), an import that leads back to it]
  ['lib/policy/types.ts', './pod-security'], // pod-security imports ./types
  ['lib/hardening/annotations.ts', './verify'], // verify imports ./annotations
  ['lib/exemptions/kind.ts', './registry'], // through the registry and the kinds
])('%s importing %s is a cycle', async (file, spec) => {
  const errors = await ruleMessages(eslint, RULE, file, `import * as m from '${spec}';\nexport const x = m;\n`);
  expect(errors).toEqual([expect.stringMatching(/Dependency cycle/)]);
});

test('an import that does not lead back is not a cycle', async () => {
  expect(await ruleMessages(eslint, RULE, 'lib/hardening/verify.ts', "import * as m from './annotations';\nexport const x = m;\n")).toEqual([]);
});
