import { idempotencyMigration } from '@codeyard/service-kit';
import type { Migration } from 'kysely';
import * as posts from './001_posts.js';

export const migrations: Record<string, Migration> = {
  '001_posts': posts,
  '002_idempotency_keys': idempotencyMigration,
};
