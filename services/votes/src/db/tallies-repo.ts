import { type Kysely, type Selectable, sql } from 'kysely';
import type { PostTalliesTable, VotesDatabase } from './schema.js';

export interface TallyRecord {
  postId: number;
  authorId: number | null;
  community: string | null;
  postCreatedAt: string | null;
  upvotes: number;
  downvotes: number;
  score: number;
  resolveAttempts: number;
  nextResolveAt: string | null;
  /** When posts said the post does not exist; null while it does (or we do not know yet). */
  goneAt: string | null;
}

/** What posts says about a post; it never changes, so once known it is kept for good. */
export interface PostInfo {
  authorId: number;
  community: string;
  createdAt: string;
}

type Db = Kysely<VotesDatabase>;

const toRecord = (row: Selectable<PostTalliesTable>): TallyRecord => ({
  postId: row.post_id,
  authorId: row.author_id,
  community: row.community,
  postCreatedAt: row.post_created_at,
  upvotes: row.upvotes,
  downvotes: row.downvotes,
  score: row.score,
  resolveAttempts: row.resolve_attempts,
  nextResolveAt: row.next_resolve_at,
  goneAt: row.gone_at,
});

export function createTalliesRepo(db: Db) {
  return {
    async find(postId: number, trx: Db = db): Promise<TallyRecord | undefined> {
      const row = await trx.selectFrom('post_tallies').selectAll().where('post_id', '=', postId).executeTakeFirst();
      return row && toRecord(row);
    },

    async findMany(postIds: number[]): Promise<TallyRecord[]> {
      if (postIds.length === 0) return [];
      const rows = await db.selectFrom('post_tallies').selectAll().where('post_id', 'in', postIds).execute();
      return rows.map(toRecord);
    },

    /**
     * The post's tally row, created if needed, locked for the rest of the transaction: every vote
     * on a post takes this lock first, so its votes apply one after another and the counts and
     * karma deltas are exact. One upsert does both: on Postgres ON CONFLICT DO UPDATE locks the
     * row; SQLite has a single writer and this write makes the transaction hold it.
     */
    async lockOrCreate(postId: number, info: PostInfo | undefined, trx: Db): Promise<TallyRecord> {
      const now = new Date().toISOString();
      const row = await trx
        .insertInto('post_tallies')
        .values({
          post_id: postId,
          author_id: info?.authorId ?? null,
          community: info?.community ?? null,
          post_created_at: info?.createdAt ?? null,
          next_resolve_at: info ? null : now,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('post_id').doUpdateSet({ updated_at: now }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    /** Adds a vote change to the counts; `from`/`to` are -1, 0 or 1. */
    async applyChange(postId: number, from: number, to: number, trx: Db): Promise<TallyRecord> {
      const up = (to === 1 ? 1 : 0) - (from === 1 ? 1 : 0);
      const down = (to === -1 ? 1 : 0) - (from === -1 ? 1 : 0);
      const row = await trx
        .updateTable('post_tallies')
        .set({
          upvotes: sql`upvotes + ${up}`,
          downvotes: sql`downvotes + ${down}`,
          score: sql`score + ${to - from}`,
          updated_at: new Date().toISOString(),
        })
        .where('post_id', '=', postId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async markResolved(postId: number, info: PostInfo, trx: Db): Promise<TallyRecord> {
      const row = await trx
        .updateTable('post_tallies')
        .set({
          author_id: info.authorId,
          community: info.community,
          post_created_at: info.createdAt,
          next_resolve_at: null,
          updated_at: new Date().toISOString(),
        })
        .where('post_id', '=', postId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    /** Posts could not answer: ask again at `nextResolveAt`. */
    async markResolveFailed(postId: number, nextResolveAt: string, trx: Db = db): Promise<void> {
      await trx
        .updateTable('post_tallies')
        .set((eb) => ({ resolve_attempts: eb('resolve_attempts', '+', 1), next_resolve_at: nextResolveAt }))
        .where('post_id', '=', postId)
        .where('gone_at', 'is', null)
        .execute();
    },

    /** Posts confirmed a post we already knew: nothing left to ask. */
    async markConfirmed(postId: number, trx: Db): Promise<void> {
      await trx.updateTable('post_tallies').set({ next_resolve_at: null }).where('post_id', '=', postId).execute();
    },

    /**
     * Posts says the post does not exist: its tally leaves top lists and rank for good. Creates
     * the row when nobody voted yet, so a vote racing the deletion finds it gone.
     */
    async markGone(postId: number, trx: Db): Promise<void> {
      const now = new Date().toISOString();
      await trx
        .insertInto('post_tallies')
        .values({ post_id: postId, next_resolve_at: null, gone_at: now, created_at: now, updated_at: now })
        .onConflict((oc) =>
          oc
            .column('post_id')
            .doUpdateSet({ gone_at: (eb) => eb.fn.coalesce('post_tallies.gone_at', eb.val(now)), next_resolve_at: null, updated_at: now }),
        )
        .execute();
    },

    /** Posts whose look-up (or re-check) is due: unresolved ones, and resolved ones queued by migration 091. */
    async dueForResolution(now: string, limit: number): Promise<TallyRecord[]> {
      const rows = await db
        .selectFrom('post_tallies')
        .selectAll()
        .where('next_resolve_at', '<=', now)
        .where('gone_at', 'is', null)
        .orderBy('next_resolve_at')
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },

    /**
     * Posts that posts confirmed and has not said are gone, highest score first, ties newest
     * (highest post id) first; `after` is the cursor.
     */
    async listTop(filter: {
      community?: string | undefined;
      after?: { score: number; postId: number } | undefined;
      limit: number;
    }): Promise<TallyRecord[]> {
      let query = db
        .selectFrom('post_tallies')
        .selectAll()
        .where('author_id', 'is not', null)
        .where('gone_at', 'is', null)
        .orderBy('score', 'desc')
        .orderBy('post_id', 'desc')
        .limit(filter.limit);
      if (filter.community !== undefined) query = query.where('community', '=', filter.community);
      const after = filter.after;
      if (after !== undefined) {
        query = query.where((eb) =>
          eb.or([eb('score', '<', after.score), eb.and([eb('score', '=', after.score), eb('post_id', '<', after.postId)])]),
        );
      }
      return (await query.execute()).map(toRecord);
    },
  };
}

export type TalliesRepo = ReturnType<typeof createTalliesRepo>;
