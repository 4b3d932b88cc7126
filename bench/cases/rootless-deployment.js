'use strict';
/**
 * Synthesis of 1,000 RootlessDeployments vs 1,000 cdk8s-plus Deployments with the same settings
 * written by hand (numeric user/group/fsGroup, OnRootMismatch, a size-limited /tmp emptyDir, the
 * same two pod-template annotations, no service account token, and JSON patches for what
 * cdk8s-plus-27 cannot express: seccompProfile RuntimeDefault and capabilities.drop [ALL]). Both
 * produce the same manifests; the subject also verifies each pod template with the policy engine
 * at synthesis (that is its extra cost).
 *
 * Requires the compiled library (lib/*.js).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { App, ApiObject, Chart, JsonPatch, Size } = require('cdk8s');
const kplus = require('cdk8s-plus-27');
const { RootlessDeployment } = require('../../lib/constructs/plus/rootless-deployment');

const COUNT = 1000;
const IMAGE = 'ghcr.io/acme/api:2.3.1';

function synth(build) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rootless-deployment-'));
  try {
    const app = new App({ outdir });
    const chart = new Chart(app, 'bench');
    for (let i = 0; i < COUNT; i++) build(chart, `app-${i}`);
    app.synth();
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

module.exports = {
  name: 'rootless-deployment-1k',
  title: 'synthesize 1,000 Deployments (construction and App.synth)',
  baselineTitle: 'cdk8s-plus Deployments hardened by hand (JSON patches for seccomp and drop ALL)',
  subjectTitle: 'RootlessDeployments (same manifests, verified by the policy engine at synthesis)',
  target: 1.25,

  /** cdk8s-plus Deployments, hardened by hand. */
  baseline() {
    synth((chart, id) => {
      const dep = new kplus.Deployment(chart, id, {
        replicas: 3,
        securityContext: { user: 1000, group: 1000, fsGroup: 1000, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
        automountServiceAccountToken: false,
      });
      const app = dep.addContainer({ image: IMAGE, portNumber: 8080 });
      app.mount('/tmp', kplus.Volume.fromEmptyDir(dep, 'writable-main-tmp', 'main-tmp', { sizeLimit: Size.mebibytes(256) }));
      dep.podMetadata.addAnnotation('rootless.cdk8s.io/exemptions', '[]');
      dep.podMetadata.addAnnotation('rootless.cdk8s.io/pss-level', 'restricted');
      ApiObject.of(dep).addJsonPatch(
        JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
        JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
      );
    });
  },

  /** RootlessDeployments: the same manifests, verified at synthesis. */
  subject() {
    synth((chart, id) => {
      new RootlessDeployment(chart, id, { user: 1000, replicas: 3, containers: [{ image: IMAGE, portNumber: 8080 }] });
    });
  },
};
