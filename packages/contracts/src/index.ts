export * from './common.js';
export * as users from './users.js';
