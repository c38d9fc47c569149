export * from './schema.js';
export * from './business-hours.js';
export * from './policy.js';
