import type { Kysely } from 'kysely';
import type { VotesDatabase } from './schema.js';

type Db = Kysely<VotesDatabase>;

export function createVotesRepo(db: Db) {
  return {
    /** The user's vote on the post: 1, -1, or 0 when there is none. */
    async directionOf(userId: number, postId: number, trx: Db = db): Promise<number> {
      const row = await trx
        .selectFrom('votes')
        .select('direction')
        .where('post_id', '=', postId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row?.direction ?? 0;
    },

    /** The user's votes on these posts (1 or -1), by post id; posts without a vote are absent. */
    async directionsOf(userId: number, postIds: number[]): Promise<Map<number, number>> {
      if (postIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('votes')
        .select(['post_id', 'direction'])
        .where('user_id', '=', userId)
        .where('post_id', 'in', postIds)
        .execute();
      return new Map(rows.map((row) => [row.post_id, row.direction]));
    },

    /** Records the vote (1 or -1) or, for 0, removes it. */
    async set(userId: number, postId: number, direction: number, trx: Db): Promise<void> {
      if (direction === 0) {
        await trx.deleteFrom('votes').where('post_id', '=', postId).where('user_id', '=', userId).execute();
        return;
      }
      const now = new Date().toISOString();
      await trx
        .insertInto('votes')
        .values({ post_id: postId, user_id: userId, direction, created_at: now, updated_at: now })
        .onConflict((oc) => oc.columns(['post_id', 'user_id']).doUpdateSet({ direction, updated_at: now }))
        .execute();
    },

    /** Sum of the post's votes by everyone except `exceptUserId` (its author): the author's karma from it. */
    async sumExcept(postId: number, exceptUserId: number, trx: Db): Promise<number> {
      const row = await trx
        .selectFrom('votes')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('direction'), eb.lit(0)).as('total'))
        .where('post_id', '=', postId)
        .where('user_id', '!=', exceptUserId)
        .executeTakeFirstOrThrow();
      return Number(row.total);
    },
  };
}

export type VotesRepo = ReturnType<typeof createVotesRepo>;
