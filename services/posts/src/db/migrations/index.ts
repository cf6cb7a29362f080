import { idempotencyMigration, outboxDeadLettersMigration, outboxMigration } from '@codeyard/service-kit';
import type { Migration } from 'kysely';
import * as posts from './001_posts.js';
import * as authorIndex from './003_posts_author_index.js';

export const migrations: Record<string, Migration> = {
  '001_posts': posts,
  '002_idempotency_keys': idempotencyMigration,
  '003_posts_author_index': authorIndex,
  '090_outbox': outboxMigration,
  '092_outbox_dead_letters': outboxDeadLettersMigration,
};
