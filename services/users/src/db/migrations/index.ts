import type { Migration } from 'kysely';
import * as users from './001_users.js';
import * as sessions from './002_sessions.js';
import * as karmaEvents from './003_karma_events.js';
import * as loginFailures from './004_login_failures.js';
import * as processedKeys from './005_processed_keys.js';
import * as revocations from './006_revocations.js';

export const migrations: Record<string, Migration> = {
  '001_users': users,
  '002_sessions': sessions,
  '003_karma_events': karmaEvents,
  '004_login_failures': loginFailures,
  '005_processed_keys': processedKeys,
  '006_revocations': revocations,
};
