/**
 * No source file in lib/ is over 500 lines: eslint's `max-lines`, configured in .projenrc.ts for
 * `lib/**\/*.ts` and generated into .eslintrc.json. This suite proves that the generated override
 * fires: it lints generated sources placed (virtually, nothing is written) under lib/ with that
 * override. `npm test` lints the real sources with the same configuration.
 */
import { generatedConfig, probeLinter, ruleMessages } from './probe';

const RULE = 'max-lines';

/** The generated overrides that set the rule (expected: one, for lib/). */
const overrides = (generatedConfig().overrides ?? []).filter((o: any) => o.rules?.[RULE] !== undefined);

// the overrides as generated, `files` globs included
const eslint = probeLinter({ overrides: overrides.map((o: any) => ({ files: o.files, rules: { [RULE]: o.rules[RULE] } })) });

/** The messages of the rule for `source` linted as if it were the file `file` (relative to the root). */
async function maxLinesErrors(file: string, source: string): Promise<string[]> {
  return ruleMessages(eslint, RULE, file, source);
}

/** A source of `lines` lines of code, each ending with a line break. */
function codeLines(lines: number): string {
  return Array.from({ length: lines }, (_, i) => `export const v${i} = ${i};\n`).join('');
}

test('the rule is generated once, for lib/**/*.ts, as an error at 500 lines counting comments and blank lines', () => {
  expect(overrides).toHaveLength(1);
  expect(overrides[0].files).toEqual(['lib/**/*.ts']);
  expect(overrides[0].rules[RULE]).toEqual(['error', { max: 500, skipBlankLines: false, skipComments: false }]);
});

describe.each(['lib/cli/probe.ts', 'lib/probe.ts', 'lib/exemptions/kinds/probe.ts'])('%s', (file) => {
  test('of 501 lines is refused', async () => {
    const errors = await maxLinesErrors(file, codeLines(501));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/too many lines \(501\)\. Maximum allowed is 500/i);
  });

  test('of 500 lines passes', async () => {
    expect(await maxLinesErrors(file, codeLines(500))).toEqual([]);
  });
});

test('comments and blank lines count', async () => {
  // 400 lines of code, 60 of comments, 41 blank: 501 lines
  const source = codeLines(400) + '// a comment\n'.repeat(30) + '/**\n' + ' * more\n'.repeat(28) + ' */\n' + '\n'.repeat(41);
  expect(source.split('\n').length - 1).toBe(501);
  expect(await maxLinesErrors('lib/cli/probe.ts', source)).toEqual([expect.stringMatching(/\(501\)/)]);
  expect(await maxLinesErrors('lib/cli/probe.ts', source.slice(0, -1))).toEqual([]);
});

test('files outside lib/ are not limited', async () => {
  expect(await maxLinesErrors('test/cli/probe.test.ts', codeLines(800))).toEqual([]);
});
