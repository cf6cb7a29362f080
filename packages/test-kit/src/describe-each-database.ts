import { describe } from 'vitest';
import { type DatabaseTargetName, databaseTargets } from './databases.js';

/** `describe` once per database target: every service test runs on SQLite and on Postgres. */
export function describeEachDatabase(title: string, body: (target: DatabaseTargetName) => void) {
  for (const target of databaseTargets()) {
    describe(`${title} [${target}]`, () => body(target));
  }
}
