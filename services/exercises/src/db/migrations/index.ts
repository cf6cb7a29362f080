import { idempotencyMigration, outboxDeadLettersMigration, outboxMigration } from '@codeyard/service-kit';
import type { Migration } from 'kysely';
import * as exercises from './001_exercises.js';
import * as submissions from './002_submissions.js';
import * as difficulty from './091_difficulty.js';

export const migrations: Record<string, Migration> = {
  '001_exercises': exercises,
  '002_submissions': submissions,
  '003_idempotency_keys': idempotencyMigration,
  '090_outbox': outboxMigration,
  '091_difficulty': difficulty,
  '092_outbox_dead_letters': outboxDeadLettersMigration,
};
