/**
 * The cdk8s constructs of the core, which work with any cdk8s-plus line: the only folder of the library that imports
 * cdk8s or constructs (its `internal/` holds the verifier and the identity index). lib/index.ts re-exports everything
 * here. The workload constructs, bound to a cdk8s-plus line, are in `plus/` (their own package per line).
 */
export * from './rootless-hardening';
export * from './restricted-namespace';
export * from './admission-policy';
export * from './monitoring';
