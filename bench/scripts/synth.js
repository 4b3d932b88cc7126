'use strict';
/**
 * A cdk8s app as a user runs it (`node synth.js MODE COUNT OUTDIR`): COUNT Deployments in one chart,
 * synthesized into OUTDIR. Modes:
 *   hand      cdk8s-plus Deployments hardened by hand (the rootless-deployment-1k baseline)
 *   rootless  RootlessDeployments (the same manifests, verified at synthesis)
 *   plain     plain cdk8s-plus Deployments
 *   apply-to  the same plain Deployments and one RootlessHardening.applyTo(chart)
 * Requires the compiled library (lib/*.js).
 */
const path = require('path');
const { App, ApiObject, Chart, JsonPatch, Size } = require('cdk8s');
const kplus = require('cdk8s-plus-27');

const [mode, countArg, outdir] = process.argv.slice(2);
const COUNT = Number(countArg);
const IMAGE = 'ghcr.io/acme/api:2.3.1';
const LIB = path.join(__dirname, '..', '..', 'lib');

const app = new App({ outdir });
const chart = new Chart(app, 'bench');
if (mode === 'hand') {
  for (let i = 0; i < COUNT; i++) {
    const dep = new kplus.Deployment(chart, `app-${i}`, {
      replicas: 3,
      securityContext: { user: 1000, group: 1000, fsGroup: 1000, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
      automountServiceAccountToken: false,
    });
    const c = dep.addContainer({ image: IMAGE, portNumber: 8080 });
    c.mount('/tmp', kplus.Volume.fromEmptyDir(dep, 'writable-main-tmp', 'main-tmp', { sizeLimit: Size.mebibytes(256) }));
    dep.podMetadata.addAnnotation('rootless.cdk8s.io/exemptions', '[]');
    dep.podMetadata.addAnnotation('rootless.cdk8s.io/pss-level', 'restricted');
    ApiObject.of(dep).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
    );
  }
} else if (mode === 'rootless') {
  const { RootlessDeployment } = require(path.join(LIB, 'constructs', 'plus', 'rootless-deployment'));
  for (let i = 0; i < COUNT; i++) {
    new RootlessDeployment(chart, `app-${i}`, { user: 1000, replicas: 3, containers: [{ image: IMAGE, portNumber: 8080 }] });
  }
} else if (mode === 'plain' || mode === 'apply-to') {
  for (let i = 0; i < COUNT; i++) {
    new kplus.Deployment(chart, `app-${i}`, {
      replicas: 3,
      securityContext: { user: 1000, group: 1000 },
      containers: [{ image: IMAGE, portNumber: 8080 }],
    });
  }
  if (mode === 'apply-to') require(path.join(LIB, 'constructs', 'rootless-hardening')).RootlessHardening.applyTo(chart);
} else {
  throw new Error(`synth.js: unknown mode ${mode}`);
}
app.synth();
