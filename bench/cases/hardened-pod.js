'use strict';
/**
 * Synthesis of 1,000 HardenedPods vs 1,000 cdk8s-plus Pods with the same settings written by
 * hand (numeric user/group/fsGroup, OnRootMismatch, a size-limited /tmp emptyDir, the same two
 * annotations, and JSON patches for what cdk8s-plus-27 cannot express: seccompProfile
 * RuntimeDefault and capabilities.drop [ALL]). Both produce the same manifests; the subject
 * also verifies each pod with the policy engine at synthesis (that is its extra cost).
 *
 * Requires the compiled library (lib/*.js).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { App, ApiObject, Chart, JsonPatch, Size } = require('cdk8s');
const kplus = require('cdk8s-plus-27');
const { HardenedPod } = require('../../lib');

const COUNT = 1000;

function synth(build) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-hardened-pod-'));
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
  name: 'hardened-pod-1k',
  title: 'synthesize 1,000 pods (construction and App.synth)',
  baselineTitle: 'cdk8s-plus Pods hardened by hand (JSON patches for seccomp and drop ALL)',
  subjectTitle: 'HardenedPods (same manifests, verified by the policy engine at synthesis)',
  target: 1.25,

  /** cdk8s-plus Pods, hardened by hand. */
  baseline() {
    synth((chart, id) => {
      const pod = new kplus.Pod(chart, id, {
        securityContext: { user: 1000, group: 1000, fsGroup: 1000, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
        automountServiceAccountToken: false,
      });
      const app = pod.addContainer({ image: 'ghcr.io/acme/api:2.3.1', portNumber: 8080 });
      app.mount('/tmp', kplus.Volume.fromEmptyDir(pod, 'writable-main-tmp', 'main-tmp', { sizeLimit: Size.mebibytes(256) }));
      pod.metadata.addAnnotation('rootless.cdk8s.io/exemptions', '[]');
      pod.metadata.addAnnotation('rootless.cdk8s.io/pss-level', 'restricted');
      ApiObject.of(pod).addJsonPatch(
        JsonPatch.add('/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
        JsonPatch.add('/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
      );
    });
  },

  /** HardenedPods: the same manifests, verified at synthesis. */
  subject() {
    synth((chart, id) => {
      new HardenedPod(chart, id, { user: 1000, containers: [{ image: 'ghcr.io/acme/api:2.3.1', portNumber: 8080 }] });
    });
  },
};
