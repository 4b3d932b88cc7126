'use strict';
// Sizing only (BENCHMARKS.md, "applyTo: cheaper copies, and what 1.5x would take"), not the library: `node bench/scripts/sizing-adopt-at-serialization.js COUNT OUTDIR`.
// Adoption at serialization, on the JSON cdk8s renders anyway (no render of its own,
// no JSON patches): each Deployment's toJson is wrapped to snapshot, adopt and verify (adopt() verifies its hardened copy),
// and return the hardened copy. Same output as applyTo, minus ordering details. Used only to size the design (issue 23 point 3).
const path = require('path');
const { App, ApiObject, Chart } = require('cdk8s');
const kplus = require('cdk8s-plus-27');
const LIB = path.join(__dirname, '..', '..', 'lib');
const { adopt } = require(path.join(LIB, 'hardening/adopt/object'));
const { hardeningSettings } = require(path.join(LIB, 'hardening/adopt/settings'));
const { CODE_EXEMPTION_WORDS } = require(path.join(LIB, 'hardening/adopt/hints'));
const { OutputVerifier } = require(path.join(LIB, 'constructs/internal/output-verifier'));
const { tokenFactsOf, chartNamespace } = require(path.join(LIB, 'constructs/internal/hardening-report'));
const [countArg, outdir] = process.argv.slice(2);
const app = new App({ outdir });
const chart = new Chart(app, 'bench');
for (let i = 0; i < Number(countArg); i++) {
  new kplus.Deployment(chart, `app-${i}`, { replicas: 3, securityContext: { user: 1000, group: 1000 }, containers: [{ image: 'ghcr.io/acme/api:2.3.1', portNumber: 8080 }] });
}
const settings = hardeningSettings({}, 'proto');
const dialect = { userFix: 'x', userFixes: () => 'x', customImageFix: () => 'x', userOption: 'x', writablePathFix: 'x', token: { reasonFix: () => 'x', strictOption: 'x' }, exemption: CODE_EXEMPTION_WORDS };
chart.node.addValidation({ validate: () => {
  for (const c of chart.node.findAll()) {
    if (!ApiObject.isApiObject(c) || c.kind !== 'Deployment') continue;
    const original = c.toJson;
    c.toJson = () => {
      const manifest = OutputVerifier.jsonData(original.call(c), c.node.path);
      const a = adopt(manifest, { writablePaths: settings.writablePaths, exemptions: [], user: settings.user, group: settings.group,
        users: { object: undefined, containers: new Map(), images: settings.images }, dialect, listItem: false },
        { facts: tokenFactsOf(c.node.root), settings: settings.tokens }, chartNamespace(c));
      if (a.errors.length > 0) throw new Error(a.errors.join('\n'));
      return a.verified.manifest;
    };
  }
  return [];
} });
app.synth();
