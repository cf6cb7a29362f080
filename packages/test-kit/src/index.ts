export * from './databases.js';
export * from './describe-each-database.js';
export * from './env.js';
export * from './tokens.js';
export * from './migrations.js';
