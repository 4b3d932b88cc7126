export * from './annotations';
export * from './image-preset';
export * from './options';
