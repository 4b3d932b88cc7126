/**
 * The constructs: the only folder of the library that imports cdk8s, cdk8s-plus or constructs (its
 * `internal/` holds the glue to cdk8s-plus and the verifier). lib/index.ts re-exports everything here.
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
export * from './rootless-hardening';
export * from './restricted-namespace';
export * from './admission-policy';
export * from './monitoring';
