export * from './policy';
export * from './hardening';
export * from './hardened-pod';
export * from './restricted-namespace';
export * from './admission-policy';
export * from './monitoring';
export * from './plugin';
