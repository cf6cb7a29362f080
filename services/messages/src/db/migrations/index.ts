import { idempotencyMigration } from '@codeyard/service-kit';
import type { Migration } from 'kysely';
import * as messages from './001_messages.js';

export const migrations: Record<string, Migration> = {
  '001_messages': messages,
  '002_idempotency_keys': idempotencyMigration,
};
