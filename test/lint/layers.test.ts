/**
 * The layer rules of docs/architecture.md are enforced by eslint's `import/no-restricted-paths`
 * (configured in .projenrc.ts). This suite proves that each zone fires: it lints small probe sources
 * placed (virtually, nothing is written) in each layer with the zones of the generated .eslintrc.json.
 * `npm test` lints the real sources with the same configuration.
 */
import { generatedConfig, probeLinter, ruleMessages } from './probe';

const RULE = 'import/no-restricted-paths';

const config = generatedConfig();
const eslint = probeLinter({
  plugins: ['import'],
  settings: config.settings,
  rules: { [RULE]: config.rules[RULE] },
});

/** The messages of the layer rule for `source` linted as if it were the file `file` (relative to the root). */
async function layerErrors(file: string, source: string): Promise<string[]> {
  return ruleMessages(eslint, RULE, file, source);
}

/** One real module of each folder of lib/, for the probes to import (the zones match resolved files). */
const MODULE_OF: Record<string, string> = {
  policy: 'policy/types',
  manifests: 'manifests/manifest-parser',
  exemptions: 'exemptions/codec',
  hardening: 'hardening/annotations',
  admission: 'admission/policy-cel',
  cli: 'cli/io',
  plugin: 'plugin/rootless-validation',
  constructs: 'constructs/hardened-pod',
};
const FOLDERS = Object.keys(MODULE_OF);

/** The folder zones of the generated configuration: target folder -> the folders it may import. */
const zones: Array<{ target: string; from: string; except?: string[]; message: string }> = config.rules[RULE][1].zones;
const allowed = new Map(zones.filter(z => z.from === './lib').map(z => [z.target.replace('./lib/', ''), (z.except ?? []).map(e => e.replace('./', ''))]));

test('the rule is configured as an error, with a zone per folder of lib/ and one for the packages of the constructs', () => {
  const [level] = config.rules[RULE];
  expect(level).toBe('error');
  expect([...allowed.keys()].sort()).toEqual([...FOLDERS].sort());
  // the layers point one way: nothing imports the constructs, the CLI or the plugin
  for (const [folder, may] of allowed) {
    expect(may).toContain(folder);
    for (const top of ['constructs', 'cli', 'plugin']) if (folder !== top) expect(may).not.toContain(top);
  }
});

// every folder importing every other folder: refused unless the table allows it, as an import and as a require()
const pairs = FOLDERS.flatMap(f => FOLDERS.filter(g => g !== f).map(g => [f, g] as const));
describe.each(pairs)('lib/%s/ importing lib/%s/', (folder, other) => {
  const file = `lib/${folder}/probe.ts`;
  const spec = `../${MODULE_OF[other]}`;
  const refused = !allowed.get(folder)!.includes(other);
  test(refused ? 'is refused, naming the layer and the page' : 'is allowed', async () => {
    const errors = await layerErrors(file, `import * as m from '${spec}';\nexport const x = m;\n`);
    if (refused) {
      expect(errors).toEqual([expect.stringContaining(`(lib/${folder}/) imports only`)]);
      expect(errors[0]).toContain('docs/architecture.md');
    } else {
      expect(errors).toEqual([]);
    }
  });
  test(`as a require() too${refused ? '' : ' (allowed)'}`, async () => {
    const errors = await layerErrors(`lib/${folder}/deeper/probe.ts`, `export const m = require('../${spec}');\n`);
    expect(errors.length).toBe(refused ? 1 : 0);
  });
});

describe.each(FOLDERS)('lib/%s/ importing cdk8s, cdk8s-plus-27 or constructs', (folder) => {
  test.each(['cdk8s', 'cdk8s-plus-27', 'constructs'])(folder === 'constructs' ? '%s is allowed' : '%s is refused', async (pkg) => {
    const errors = await layerErrors(`lib/${folder}/probe.ts`, `import * as m from '${pkg}';\nexport const x = m;\n`);
    if (folder === 'constructs') expect(errors).toEqual([]);
    else expect(errors).toEqual([expect.stringContaining('Only lib/constructs/ imports cdk8s, cdk8s-plus or constructs')]);
  });
});

test.each([
  ['lib/policy/checks/probe.ts', '../pod-spec'],
  ['lib/cli/harden/probe.ts', '../../hardening/adopt/pod'],
  ['lib/cli/probe.ts', 'yaml'],
  ['lib/manifests/probe.ts', 'js-yaml'],
  ['lib/constructs/internal/probe.ts', '../../hardening/verify'],
  // the package's entry point re-exports every folder, the plugin and the constructs included, for jsii
  ['lib/index.ts', './plugin'],
  ['lib/index.ts', './constructs'],
  ['lib/index.ts', 'cdk8s'],
])('%s may import %s', async (file, spec) => {
  expect(await layerErrors(file, `import * as m from '${spec}';\nexport const x = m;\n`)).toEqual([]);
});
