/**
 * Linting probe sources with rules of the generated .eslintrc.json, as the lint suites do: a probe
 * is placed virtually (nothing is written) at a path of the repository, so the rule's path
 * settings (zones, override globs) apply as they do to the real sources.
 */
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');

// The eslintrc (legacy) API, as `npx projen eslint` uses it (ESLINT_USE_FLAT_CONFIG=false).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LegacyESLint } = require('eslint/use-at-your-own-risk');

/** The generated .eslintrc.json (projen writes a `//` comment line first). */
export function generatedConfig(): any {
  const text = fs.readFileSync(path.join(ROOT, '.eslintrc.json'), 'utf8');
  return JSON.parse(text.split('\n').filter(l => !l.startsWith('//')).join('\n'));
}

/** An ESLint that applies only `config` (rules, settings, overrides) besides the TypeScript parser. */
export function probeLinter(config: Record<string, unknown>): { lintText(source: string, options: { filePath: string }): Promise<any[]> } {
  return new LegacyESLint({
    cwd: ROOT,
    useEslintrc: false,
    overrideConfig: {
      root: true,
      parser: '@typescript-eslint/parser',
      parserOptions: { ecmaVersion: 2022, sourceType: 'module' },
      ...config,
    },
  });
}

/** The messages of `rule` for `source` linted as if it were the file `file` (relative to the root). */
export async function ruleMessages(eslint: ReturnType<typeof probeLinter>, rule: string, file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(ROOT, file) });
  const fatal = result.messages.filter((m: any) => m.fatal);
  if (fatal.length > 0) throw new Error(`eslint could not parse the probe: ${fatal.map((m: any) => m.message).join('; ')}`);
  return result.messages.filter((m: any) => m.ruleId === rule).map((m: any) => m.message);
}
