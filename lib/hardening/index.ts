export * from './annotations';
export * from './image-preset';
export * from './options';
export * from './pod-hardening';
