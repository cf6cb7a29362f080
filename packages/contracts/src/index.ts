export * from './common.js';
export * as users from './users.js';
export * as scores from './scores.js';
export * as posts from './posts.js';
export * as votes from './votes.js';
export * as messages from './messages.js';
export * as exercises from './exercises.js';
