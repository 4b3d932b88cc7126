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

test('the rule is configured as an error with its zones', () => {
  const [level, options] = config.rules[RULE];
  expect(level).toBe('error');
  expect(options.zones.length).toBeGreaterThanOrEqual(5);
});

describe.each([
  // [probe file, import, layer message fragment]
  ['lib/policy/probe.ts', '../hardening/annotations', 'The policy engine (lib/policy/) reads plain Kubernetes JSON'],
  ['lib/policy/checks/probe.ts', '../../hardened-pod', 'The policy engine (lib/policy/) reads plain Kubernetes JSON'],
  ['lib/policy/probe.ts', '../cli/manifest-parser', 'The policy engine (lib/policy/) reads plain Kubernetes JSON'],
  ['lib/policy/probe.ts', 'cdk8s', 'The policy engine (lib/policy/) never imports cdk8s'],
  ['lib/policy/probe.ts', 'cdk8s-plus-27', 'The policy engine (lib/policy/) never imports cdk8s'],
  ['lib/policy/probe.ts', 'constructs', 'The policy engine (lib/policy/) never imports cdk8s'],
  ['lib/cli/probe.ts', 'cdk8s-plus-27', 'The CLI and the validation plugin never load cdk8s'],
  ['lib/cli/probe.ts', 'cdk8s', 'The CLI and the validation plugin never load cdk8s'],
  ['lib/cli/probe.ts', 'constructs', 'The CLI and the validation plugin never load cdk8s'],
  ['lib/plugin/probe.ts', 'cdk8s-plus-27', 'The CLI and the validation plugin never load cdk8s'],
  ['lib/cli/probe.ts', '../hardened-pod', 'never import the construct files'],
  ['lib/cli/probe.ts', '../rootless-deployment', 'never import the construct files'],
  ['lib/cli/probe.ts', '..', 'never import the construct files'],
  ['lib/plugin/probe.ts', '../restricted-namespace', 'never import the construct files'],
  ['lib/hardening/probe.ts', '../cli/manifest-parser', 'never import the CLI or the plugin'],
  ['lib/hardening/probe.ts', '../plugin', 'never import the CLI or the plugin'],
  ['lib/hardened-pod-probe.ts', './cli/program', 'never import the CLI or the plugin'],
  ['lib/rootless-probe.ts', './plugin/rootless-validation', 'never import the CLI or the plugin'],
  ['lib/admission/probe.ts', '../cli/manifest-parser', 'never import the CLI or the plugin'],
  ['lib/cli/probe.ts', '../admission/policy-cel', 'never import the construct files'],
  ['lib/manifests/probe.ts', '../cli/manifest-parser', 'The reader (lib/manifests/) reads text into plain Kubernetes JSON'],
  ['lib/manifests/probe.ts', '../hardening/annotations', 'The reader (lib/manifests/) reads text into plain Kubernetes JSON'],
  ['lib/manifests/probe.ts', 'cdk8s', 'The reader (lib/manifests/) never imports cdk8s'],
  ['lib/manifests/probe.ts', 'constructs', 'The reader (lib/manifests/) never imports cdk8s'],
  ['lib/exemptions/probe.ts', 'cdk8s-plus-27', 'The exemption model (lib/exemptions/) is pure'],
  ['lib/exemptions/kinds/probe.ts', 'constructs', 'The exemption model (lib/exemptions/) is pure'],
  ['lib/exemptions/probe.ts', '../hardened-pod', 'The exemption model (lib/exemptions/) imports only lib/policy/ and the pure part'],
  ['lib/exemptions/probe.ts', '../admission/policy-cel', 'The exemption model (lib/exemptions/) imports only lib/policy/ and the pure part'],
  ['lib/exemptions/kinds/probe.ts', '../../hardening/hardening', 'not the cdk8s glue'],
  ['lib/exemptions/probe.ts', '../hardening/adopt/pod', 'not the cdk8s glue'],
  ['lib/exemptions/probe.ts', '../hardening', 'not the cdk8s glue'],
  ['lib/exemptions/probe.ts', '../cli/manifest-parser', 'The exemption model (lib/exemptions/) imports only lib/policy/ and the pure part'],
])('%s importing %s', (file, spec, message) => {
  test('is refused, naming the layer rule', async () => {
    const errors = await layerErrors(file, `import * as m from '${spec}';\nexport const x = m;\n`);
    expect(errors).toEqual([expect.stringContaining(message)]);
    expect(errors[0]).toContain('docs/architecture.md');
  });
  test('is refused as a require() too', async () => {
    const errors = await layerErrors(file, `export const m = require('${spec}');\n`);
    expect(errors).toEqual([expect.stringContaining(message)]);
  });
});

test.each([
  ['lib/policy/probe.ts', './types'],
  ['lib/policy/checks/probe.ts', '../pod-spec'],
  ['lib/cli/probe.ts', '../policy'],
  ['lib/cli/probe.ts', '../hardening/annotations'],
  ['lib/cli/probe.ts', 'yaml'],
  ['lib/plugin/probe.ts', '../cli/manifest-parser'],
  ['lib/cli/probe.ts', '../manifests/kubectl-yaml'],
  ['lib/plugin/probe.ts', '../manifests/yaml-differences'],
  ['lib/manifests/probe.ts', './go-yaml-scalars'],
  ['lib/manifests/probe.ts', 'js-yaml'],
  ['lib/hardening/probe.ts', '../policy'],
  ['lib/hardening/probe.ts', 'cdk8s-plus-27'],
  ['lib/exemptions/probe.ts', '../policy/k8s-shapes'],
  ['lib/exemptions/kinds/probe.ts', '../../hardening/paths'],
  ['lib/cli/probe.ts', '../exemptions/codec'],
  ['lib/plugin/probe.ts', '../exemptions/declared'],
  ['lib/hardening/adopt/probe.ts', '../../exemptions/registry'],
  ['lib/hardened-pod-probe.ts', './hardening'],
  ['lib/hardened-pod-probe.ts', 'cdk8s-plus-27'],
  // the package's entry point re-exports the plugin for jsii
  ['lib/index.ts', './plugin'],
])('%s may import %s', async (file, spec) => {
  expect(await layerErrors(file, `import * as m from '${spec}';\nexport const x = m;\n`)).toEqual([]);
});
