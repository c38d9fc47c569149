export * from './schema.js';
export * from './rotation.js';
