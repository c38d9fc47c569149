export * from './alarm-service.js';
export * from './alarm-policy.js';
