export * from './schema.js';
export * from './timeline.js';
export * from './apply.js';
export * from './action-items.js';
export * from './review.js';
export * from './week.js';
export * from './markdown.js';
