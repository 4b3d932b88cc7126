export * from './types';
export * from './pod-security';
