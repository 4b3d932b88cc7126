'use strict';
/**
 * Synthesis of N HardenedPods vs N cdk8s-plus Pods with the same settings written by hand
 * (numeric user/group/fsGroup, OnRootMismatch, a size-limited /tmp emptyDir, the same two
 * annotations, and JSON patches for what cdk8s-plus-27 cannot express: seccompProfile
 * RuntimeDefault and capabilities.drop [ALL]). Both produce the same manifests; the subject
 * also verifies each pod with the policy engine at synthesis (that is its extra cost).
 *
 * One case per size (1, 100, 1,000 and 10,000 pods: hardened-pod-1 ... hardened-pod-10k), in the
 * series `pod-synthesis`, for which the runner adds a table of how time and peak memory grow
 * with the number of workloads. The 10,000 case runs at most 3 times per side (about 10 s each).
 *
 * Requires the compiled library (lib/*.js).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { App, ApiObject, Chart, JsonPatch, Size } = require('cdk8s');
const kplus = require('cdk8s-plus-27');
const { HardenedPod } = require('../../lib/constructs/plus');

function synth(count, build) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-hardened-pod-'));
  try {
    const app = new App({ outdir });
    const chart = new Chart(app, 'bench');
    for (let i = 0; i < count; i++) build(chart, `app-${i}`);
    app.synth();
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** A cdk8s-plus Pod, hardened by hand. */
function kplusPod(chart, id) {
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
}

/** A HardenedPod: the same manifest, verified at synthesis. */
function hardenedPod(chart, id) {
  new HardenedPod(chart, id, { user: 1000, containers: [{ image: 'ghcr.io/acme/api:2.3.1', portNumber: 8080 }] });
}

const SIZES = [
  { count: 1, label: '1' },
  { count: 100, label: '100' },
  { count: 1000, label: '1k' },
  { count: 10000, label: '10k', runs: 3 },
];

module.exports = SIZES.map(({ count, label, runs }) => ({
  name: `hardened-pod-${label}`,
  title: `synthesize ${count.toLocaleString('en-US')} pod${count === 1 ? '' : 's'} (construction and App.synth)`,
  baselineTitle: 'cdk8s-plus Pods hardened by hand (JSON patches for seccomp and drop ALL)',
  subjectTitle: 'HardenedPods (same manifests, verified by the policy engine at synthesis)',
  target: 1.25,
  runs,
  series: { id: 'pod-synthesis', title: 'synthesis overhead vs cdk8s-plus by number of workloads (HardenedPod vs hand-hardened kplus Pod)', count },

  /** cdk8s-plus Pods, hardened by hand. */
  baseline() {
    synth(count, kplusPod);
  },

  /** HardenedPods: the same manifests, verified at synthesis. */
  subject() {
    synth(count, hardenedPod);
  },
}));
