import type { Kysely } from 'kysely';
import type { ScoresDatabase } from './schema.js';

type Db = Kysely<ScoresDatabase>;

export function createScoreEventsRepo(db: Db) {
  return {
    /**
     * Records the key; false when it was recorded before (the attempt was already counted). On
     * Postgres a concurrent duplicate waits here for the first transaction and then sees the key.
     */
    async recordOnce(key: string, event: { userId: number; exerciseId: number; correct: boolean }, trx: Db = db): Promise<boolean> {
      const result = await trx
        .insertInto('score_events')
        .values({
          idempotency_key: key,
          user_id: event.userId,
          exercise_id: event.exerciseId,
          correct: event.correct ? 1 : 0,
          created_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    async find(key: string, trx: Db = db) {
      const row = await trx.selectFrom('score_events').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
      return row && { userId: row.user_id, exerciseId: row.exercise_id, correct: row.correct === 1 };
    },
  };
}

export type ScoreEventsRepo = ReturnType<typeof createScoreEventsRepo>;
