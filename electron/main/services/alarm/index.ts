export * from './alarm-service.js';
export * from './alarm-policy.js';
export * from './ports.js';
