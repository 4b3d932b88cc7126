'use strict';
/**
 * `RootlessHardening.applyTo` on an existing app: 1,000 plain cdk8s-plus Deployments (as teams
 * wrote them: pod-level user, a port, kplus defaults), synthesized as they are (baseline) and with
 * one `applyTo(chart)` call (subject). The subject renders each object once more to adopt it, adds
 * the JSON patches, and verifies each object again while cdk8s serializes it.
 *
 * Requires the compiled library (lib/*.js).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { App, Chart } = require('cdk8s');
const kplus = require('cdk8s-plus-27');
const { RootlessHardening } = require('../../lib/constructs/rootless-hardening');

const COUNT = 1000;
const IMAGE = 'ghcr.io/acme/api:2.3.1';

function synth(harden) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-apply-to-'));
  try {
    const app = new App({ outdir });
    const chart = new Chart(app, 'bench');
    for (let i = 0; i < COUNT; i++) {
      new kplus.Deployment(chart, `app-${i}`, {
        replicas: 3,
        securityContext: { user: 1000, group: 1000 },
        containers: [{ image: IMAGE, portNumber: 8080 }],
      });
    }
    if (harden) RootlessHardening.applyTo(chart);
    app.synth();
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

module.exports = {
  name: 'apply-to-1k',
  title: 'synthesize 1,000 plain cdk8s-plus Deployments, with and without RootlessHardening.applyTo',
  baselineTitle: 'the plain cdk8s-plus Deployments (construction and App.synth)',
  subjectTitle: 'the same, hardened by one RootlessHardening.applyTo(chart) call',
  // adopting renders each object once more and verifies it once more: about two extra renders
  target: 2.5,
  baseline() {
    synth(false);
  },
  subject() {
    synth(true);
  },
};
