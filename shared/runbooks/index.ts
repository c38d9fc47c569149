export * from './schema.js';
export * from './parse.js';
export * from './check.js';
export * from './catalog.js';
export * from './match.js';
