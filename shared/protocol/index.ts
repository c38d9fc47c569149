export * from './version.js';
export * from './errors.js';
export * from './events.js';
export * from './alert.js';
export * from './stream.js';
export * from './api.js';
