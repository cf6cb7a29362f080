import type { OutboxTable } from '@codeyard/service-kit';
import type { Generated } from 'kysely';

export interface VotesTable {
  post_id: number;
  user_id: number;
  /** 1 up, -1 down; retracting a vote deletes its row. */
  direction: number;
  created_at: string;
  updated_at: string;
}

/**
 * One row per voted post: the counts (changed in the same transaction as the vote, so reads are
 * one row) and what posts told us about the post (author, community), which never changes.
 */
export interface PostTalliesTable {
  post_id: number;
  /** Null until posts has told us; karma for votes cast meanwhile is sent when it does. */
  author_id: number | null;
  community: string | null;
  post_created_at: string | null;
  upvotes: Generated<number>;
  downvotes: Generated<number>;
  score: Generated<number>;
  resolve_attempts: Generated<number>;
  /**
   * When to ask posts (again) about the post: unresolved ones until posts answers, resolved ones
   * once more after migration 091; null when nothing is left to ask.
   */
  next_resolve_at: string | null;
  /** When posts said the post does not exist (404, or its deletion event); null while it exists. */
  gone_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface VotesDatabase {
  votes: VotesTable;
  post_tallies: PostTalliesTable;
  outbox: OutboxTable;
}
