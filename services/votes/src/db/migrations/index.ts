import { outboxMigration } from '@codeyard/service-kit';
import type { Migration } from 'kysely';
import * as votes from './001_votes.js';

export const migrations: Record<string, Migration> = {
  '001_votes': votes,
  '090_outbox': outboxMigration,
};
