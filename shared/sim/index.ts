export * from './random.js';
export * from './catalog.js';
export * from './errors.js';
export * from './rhythm.js';
export * from './evals.js';
export * from './scenarios.js';
export * from './traffic.js';
export * from './control.js';
