'use strict';
/**
 * CLI start-up: `cdk8s-rootless audit small.yaml` (one Deployment; the package's bin, lib/cli/bin.js,
 * which runs the bundled CLI) against `node -e 0`, both spawned and timed from the runner.
 */
const path = require('path');
const { writeOnce } = require('../lib/workloads');

const SMALL = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 101
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: web
        image: nginxinc/nginx-unprivileged:1.27
        ports:
        - containerPort: 8080
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
`;

module.exports = {
  name: 'cli-startup',
  title: 'CLI start-up on one small file',
  baselineTitle: '`node -e 0`',
  subjectTitle: '`cdk8s-rootless audit small.yaml` (the package\'s bin, lib/cli/bin.js; one Deployment; spawned, wall clock, output to a file)',
  // issue 23: <= 1.5x `node -e 0` (lazy-loaded subcommands; Node's compile cache where it has one)
  target: 1.5,
  quick: true,
  metrics: ['time'],
  prepare(ctx) {
    return { small: writeOnce(path.join(ctx.outDir, 'small.yaml'), () => SMALL) };
  },
  baseline: { command: () => [process.execPath, '-e', '0'], okStatus: [0] },
  subject: { command: ctx => [process.execPath, path.join(ctx.root, require(path.join(ctx.root, 'package.json')).bin['cdk8s-rootless']), 'audit', ctx.small], okStatus: [0, 1], stdout: ctx => require('path').join(ctx.outDir, 'audit-small.out') },
};

module.exports.SMALL = SMALL; // bench/profile.js audits the same file
