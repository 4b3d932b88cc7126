/**
 * Exemption kinds are data in one folder: no file of lib/ outside lib/exemptions/ names a kind
 * (`ExemptionKind.X`, or through an alias or a namespace import). `no-restricted-syntax`, configured in
 * .projenrc.ts and generated into .eslintrc.json, enforces it; this suite proves that the generated
 * override fires where it must and nowhere else. `npm test` lints the real sources with it.
 */
import { generatedConfig, probeLinter, ruleMessages } from './probe';

const RULE = 'no-restricted-syntax';

const overrides = (generatedConfig().overrides ?? []).filter((o: any) => o.rules?.[RULE] !== undefined);
const eslint = probeLinter({
  overrides: overrides.map((o: any) => ({ files: o.files, excludedFiles: o.excludedFiles, rules: { [RULE]: o.rules[RULE] } })),
});

const errors = (file: string, source: string) => ruleMessages(eslint, RULE, file, source);

test('the rule is generated once, for lib/ except lib/exemptions/', () => {
  expect(overrides).toHaveLength(1);
  expect(overrides[0].files).toEqual(['lib/**/*.ts']);
  expect(overrides[0].excludedFiles).toEqual(['lib/exemptions/**']);
});

describe.each([
  ['lib/hardening/adopt/probe.ts', "import { ExemptionKind } from '../../exemptions/exemption-kind';\nexport const k = ExemptionKind.RUN_AS_ROOT;\n"],
  ['lib/hardening/probe.ts', "import { ExemptionKind as K } from '../exemptions/exemption-kind';\nexport const k = K.HOST_NETWORK;\n"],
  ['lib/admission/probe.ts', "import * as kinds from '../exemptions/exemption-kind';\nexport const k = kinds.ExemptionKind.ADD_CAPABILITIES;\n"],
  ['lib/probe.ts', "import { ExemptionKind } from './exemptions/exemption-kind';\nexport const k = ExemptionKind['PRIVILEGED'];\n"],
  ['lib/cli/probe.ts', "import { ExemptionKind } from '../exemptions/exemption-kind';\nexport const ks = Object.values(ExemptionKind);\nexport const k = ExemptionKind.HOST_PATH;\n"],
])('%s naming a kind', (file, source) => {
  test('is refused, naming the rule and the way out', async () => {
    const found = await errors(file, source);
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]).toMatch(/Only lib\/exemptions\/ names an exemption kind/);
  });
});

test.each([
  ['lib/exemptions/kinds/probe.ts', "import { ExemptionKind } from '../exemption-kind';\nexport const k = ExemptionKind.RUN_AS_ROOT;\n"],
  ['lib/exemptions/probe.ts', "import { ExemptionKind as K } from './exemption-kind';\nexport const k = K.HOST_PID;\n"],
  // the type, and the entry point's re-export, name no kind
  ['lib/hardening/adopt/probe.ts', "import type { ExemptionKind } from '../../exemptions/exemption-kind';\nexport type K = ExemptionKind;\n"],
  ['lib/index.ts', "export * from './exemptions/exemption';\n"],
  ['test/probe.test.ts', "import { ExemptionKind } from '../lib';\nexport const k = ExemptionKind.RUN_AS_ROOT;\n"],
])('%s may do this', async (file, source) => {
  expect(await errors(file, source)).toEqual([]);
});
