export * from './notifier.js';
export * from './node-notifier.js';
