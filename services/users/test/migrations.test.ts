import { describeMigrations } from '@codeyard/test-kit';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { migrations } from '../src/db/migrations/index.js';

describeMigrations('users', migrations, ['karma_events', 'login_failures', 'refresh_tokens', 'sessions', 'users'], async ({ db }) => {
  // the case-insensitive unique index on usernames is back too
  await sql`insert into users (username, email, password_hash, created_at, updated_at) values ('Ann', 'a@x.test', 'h', 'now', 'now')`.execute(db);
  await expect(
    sql`insert into users (username, email, password_hash, created_at, updated_at) values ('ANN', 'b@x.test', 'h', 'now', 'now')`.execute(db),
  ).rejects.toThrow();
});
