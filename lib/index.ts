export * from './policy/types';
