export * from './policy';
export * from './hardening';
export * from './hardened-pod';
