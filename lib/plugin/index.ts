/**
 * The cdk8s validation plugin, loadable on its own from `cdk8s.yaml`
 * (`package: ./node_modules/cdk8s-rootless/lib/plugin`) without loading cdk8s-plus.
 */
export * from './rootless-validation';
