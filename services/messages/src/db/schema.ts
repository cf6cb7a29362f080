import type { IdempotencyKeysTable } from '@codeyard/service-kit';
import type { Generated } from 'kysely';

/** Each party has its own "deleted" and "favorite" flag (0/1); the row goes when both deleted it. */
export interface MessagesTable {
  id: Generated<number>;
  sender_id: number;
  sender_username: string;
  recipient_id: number;
  recipient_username: string;
  content: string;
  sender_deleted: Generated<number>;
  recipient_deleted: Generated<number>;
  sender_favorite: Generated<number>;
  recipient_favorite: Generated<number>;
  created_at: string;
}

export interface MessagesDatabase {
  messages: MessagesTable;
  idempotency_keys: IdempotencyKeysTable;
}
