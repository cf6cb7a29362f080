export * from './databases.js';
export * from './env.js';
export * from './tokens.js';
export * from './migrations.js';
