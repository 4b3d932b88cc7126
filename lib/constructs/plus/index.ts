/**
 * The constructs bound to one cdk8s-plus line: the only folder of the library that imports cdk8s-plus. Each line's
 * package (`cdk8s-rootless-plus-NN`, docs/lines.md) is this folder compiled against its own cdk8s-plus-NN, its imports
 * of the rest of the library read from the core package `cdk8s-rootless` (packages/lines/build.js).
 */
export * from './options';
export * from './pod-hardening';
export * from './hardened-pod';
export * from './rootless-workload';
export * from './rootless-deployment';
export * from './rootless-stateful-set';
export * from './rootless-job';
export * from './rootless-cron-job';
export * from './rootless-daemon-set';
