/**
 * The layer rules of docs/architecture.md are enforced by eslint's `import/no-restricted-paths`
 * (configured in .projenrc.ts). This suite proves that each zone fires: it lints small probe sources
 * placed (virtually, nothing is written) in each layer with the zones of the generated .eslintrc.json.
 * `npm test` lints the real sources with the same configuration.
 *
 * Two kinds of zone: the folder layers (a zone per folder of lib/), and the split of lib/constructs/ into the
 * core and lib/constructs/plus/ (issue 25, docs/lines.md): only plus/ imports cdk8s-plus, of every line of
 * packages/lines/lines.json, and the core (lib/index.ts, lib/constructs/*.ts, lib/constructs/internal/) imports
 * neither a cdk8s-plus line nor plus/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, generatedConfig, probeLinter, ruleMessages } from './probe';

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
  constructs: 'constructs/restricted-namespace',
};
/** A real module of lib/constructs/plus/ (inside the constructs folder's zone, outside the core). */
const PLUS_MODULE = 'constructs/plus/hardened-pod';
const FOLDERS = Object.keys(MODULE_OF);

/** The folder zones of the generated configuration: target folder -> the folders it may import. */
const zones: Array<{ target: string; from: string; except?: string[]; message: string }> = config.rules[RULE][1].zones;
const allowed = new Map(zones.filter(z => z.from === './lib').map(z => [z.target.replace('./lib/', ''), (z.except ?? []).map(e => e.replace('./', ''))]));

/** Every cdk8s-plus line with a construct package: the one table, packages/lines/lines.json. */
const LINES: number[] = JSON.parse(fs.readFileSync(path.join(ROOT, 'packages/lines/lines.json'), 'utf8')).lines.map((l: { line: number }) => l.line);
const PLUS_PACKAGES = LINES.map(n => `cdk8s-plus-${n}`);
/** The files of the core package among lib/constructs/ and the entry point (the zones' targets). */
const CORE_TARGETS = ['./lib/index.ts', './lib/constructs/*.ts', './lib/constructs/internal/**'];
const PURE_MESSAGE = 'Only lib/constructs/ imports cdk8s, cdk8s-plus or constructs';
const CORE_LINE_MESSAGE = 'Only lib/constructs/plus/ imports cdk8s-plus';
const CORE_PLUS_MESSAGE = 'The core does not import lib/constructs/plus/';

test('the module probes point at real files (a probe of a moved file would resolve to nothing and pass)', () => {
  for (const m of [...Object.values(MODULE_OF), PLUS_MODULE]) expect(fs.existsSync(path.join(ROOT, 'lib', `${m}.ts`))).toBe(true);
  for (const pkg of PLUS_PACKAGES) expect(fs.existsSync(path.join(ROOT, 'node_modules', pkg, 'package.json'))).toBe(true);
});

test('the core zones: each core target refuses every line of lines.json and lib/constructs/plus/; the pure zone refuses every line', () => {
  expect(LINES).toEqual(expect.arrayContaining([27, 28, 32, 33, 34]));
  const lineFroms = PLUS_PACKAGES.map(p => `./node_modules/${p}`);
  for (const target of CORE_TARGETS) {
    const line = zones.find(z => z.target === target && Array.isArray(z.from) && z.message.startsWith(CORE_LINE_MESSAGE));
    expect(line?.from).toEqual(expect.arrayContaining(lineFroms));
    expect(zones.find(z => z.target === target && z.from === './lib/constructs/plus')?.message).toContain(CORE_PLUS_MESSAGE);
  }
  const pure = zones.find(z => z.message.startsWith(PURE_MESSAGE));
  expect(pure?.from).toEqual(expect.arrayContaining([...lineFroms, './node_modules/cdk8s', './node_modules/constructs']));
  // no zone targets lib/constructs/plus/: it may import every line and the core folders (the constructs folder's zone)
  expect(zones.filter(z => [z.target].flat().some(t => t.startsWith('./lib/constructs/plus')))).toEqual([]);
});

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

const PURE = FOLDERS.filter(f => f !== 'constructs');
describe.each(PURE)('lib/%s/ (pure) importing cdk8s, constructs or any cdk8s-plus line', (folder) => {
  test.each(['cdk8s', 'constructs', ...PLUS_PACKAGES])('%s is refused', async (pkg) => {
    const errors = await layerErrors(`lib/${folder}/probe.ts`, `import * as m from '${pkg}';\nexport const x = m;\n`);
    expect(errors).toEqual([expect.stringContaining(PURE_MESSAGE)]);
  });
  test('lib/constructs/plus/ is refused (the folder zone of lib/constructs/ covers it)', async () => {
    const errors = await layerErrors(`lib/${folder}/probe.ts`, `import * as m from '../${PLUS_MODULE}';\nexport const x = m;\n`);
    expect(errors).toEqual([expect.stringContaining(`(lib/${folder}/) imports only`)]);
  });
});

/** A probe file in each kind of core target, with the relative path from it to lib/. */
const CORE_PROBES: Array<[string, string]> = [
  ['lib/index.ts', './'],
  ['lib/constructs/probe.ts', '../'],
  ['lib/constructs/internal/probe.ts', '../../'],
  ['lib/constructs/internal/deeper/probe.ts', '../../../'],
];
describe.each(CORE_PROBES)('%s (the core package)', (file, toLib) => {
  test.each(['cdk8s', 'constructs'])('may import %s', async (pkg) => {
    expect(await layerErrors(file, `import * as m from '${pkg}';\nexport const x = m;\n`)).toEqual([]);
  });
  test.each(PLUS_PACKAGES)('may not import %s, naming the page', async (pkg) => {
    const errors = await layerErrors(file, `import * as m from '${pkg}';\nexport const x = m;\n`);
    expect(errors).toEqual([expect.stringContaining(CORE_LINE_MESSAGE)]);
    expect(errors[0]).toContain('docs/lines.md');
  });
  test.each(PLUS_PACKAGES)('may not require() %s', async (pkg) => {
    expect(await layerErrors(file, `export const m = require('${pkg}');\n`)).toEqual([expect.stringContaining(CORE_LINE_MESSAGE)]);
  });
  test.each([PLUS_MODULE, 'constructs/plus'])('may not import lib/%s', async (mod) => {
    const errors = await layerErrors(file, `import * as m from '${toLib}${mod}';\nexport const x = m;\n`);
    expect(errors).toEqual([expect.stringContaining(CORE_PLUS_MESSAGE)]);
    expect(errors[0]).toContain('docs/architecture.md');
  });
});

describe.each(['lib/constructs/plus/probe.ts', 'lib/constructs/plus/internal/probe.ts'])('%s (a package per line)', (file) => {
  const toLib = file.includes('/internal/') ? '../../../' : '../../';
  test.each(['cdk8s', 'constructs', ...PLUS_PACKAGES])('may import %s', async (pkg) => {
    expect(await layerErrors(file, `import * as m from '${pkg}';\nexport const x = m;\n`)).toEqual([]);
  });
  // the core folders the constructs may import, and the core of lib/constructs/ itself (the line packages deep-import them)
  const core = [...allowed.get('constructs')!.filter(f => f !== 'constructs').map(f => MODULE_OF[f]), MODULE_OF.constructs, 'constructs/internal/identity-index'];
  test.each(core)('may import lib/%s', async (mod) => {
    expect(await layerErrors(file, `import * as m from '${toLib}${mod}';\nexport const x = m;\n`)).toEqual([]);
  });
  test.each(['cli', 'plugin'])('may not import lib/%s (the folder zone of lib/constructs/)', async (folder) => {
    const errors = await layerErrors(file, `import * as m from '${toLib}${MODULE_OF[folder]}';\nexport const x = m;\n`);
    expect(errors).toEqual([expect.stringContaining('(lib/constructs/) imports only')]);
  });
});

test.each([
  ['lib/policy/checks/probe.ts', '../pod-spec'],
  ['lib/cli/harden/probe.ts', '../../hardening/adopt/pod'],
  ['lib/cli/probe.ts', 'yaml'],
  ['lib/manifests/probe.ts', 'js-yaml'],
  ['lib/constructs/internal/probe.ts', '../../hardening/verify'],
  // the core package's entry point re-exports every folder but lib/constructs/plus/, the plugin included, for jsii
  ['lib/index.ts', './plugin'],
  ['lib/index.ts', './constructs'],
  ['lib/index.ts', 'cdk8s'],
])('%s may import %s', async (file, spec) => {
  expect(await layerErrors(file, `import * as m from '${spec}';\nexport const x = m;\n`)).toEqual([]);
});
