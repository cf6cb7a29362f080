import { outboxDeadLettersMigration, outboxMigration } from '@codeyard/service-kit';
import type { Migration } from 'kysely';
import * as votes from './001_votes.js';
import * as postGone from './091_post_gone.js';

// Names sort in the order they run; a new migration sorts after every one already deployed.
export const migrations: Record<string, Migration> = {
  '001_votes': votes,
  '090_outbox': outboxMigration,
  '091_post_gone': postGone,
  '092_outbox_dead_letters': outboxDeadLettersMigration,
};
