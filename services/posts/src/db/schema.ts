import type { IdempotencyKeysTable, OutboxTable } from '@codeyard/service-kit';
import type { Generated } from 'kysely';

export interface CommunitiesTable {
  name: string;
  /** Kept in step with `posts` in the same transaction, so the communities list never counts rows. */
  post_count: Generated<number>;
  created_at: string;
}

export interface PostsTable {
  id: Generated<number>;
  title: string;
  text: string;
  url: string | null;
  community: string;
  user_id: number;
  /** The author's username when the post was made (users owns usernames; we keep a copy). */
  username: string;
  created_at: string;
}

export interface PostsDatabase {
  communities: CommunitiesTable;
  posts: PostsTable;
  idempotency_keys: IdempotencyKeysTable;
  outbox: OutboxTable;
}
