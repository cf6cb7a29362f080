import { type Kysely, type Selectable, sql } from 'kysely';
import type { ScoresDatabase, ScoresTable } from './schema.js';

export interface ScoreRecord {
  id: number;
  userId: number;
  exerciseId: number;
  correct: boolean;
  attempts: number;
  solvedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LeaderboardRow {
  userId: number;
  solved: number;
  lastSolvedAt: string;
}

const toRecord = (row: Selectable<ScoresTable>): ScoreRecord => ({
  id: row.id,
  userId: row.user_id,
  exerciseId: row.exercise_id,
  correct: row.correct === 1,
  attempts: row.attempts,
  solvedAt: row.solved_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export type ScoresDb = Kysely<ScoresDatabase>;

export function createScoresRepo(db: ScoresDb) {
  return {
    async findById(id: number, trx: ScoresDb = db): Promise<ScoreRecord | undefined> {
      const row = await trx.selectFrom('scores').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },

    async findByPair(userId: number, exerciseId: number, trx: ScoresDb = db): Promise<ScoreRecord | undefined> {
      const row = await trx
        .selectFrom('scores')
        .selectAll()
        .where('user_id', '=', userId)
        .where('exercise_id', '=', exerciseId)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    /** Newest first; `beforeId` is the cursor. */
    async list(filter: { userId?: number | undefined; exerciseId?: number | undefined; beforeId?: number | undefined; limit: number }) {
      let query = db.selectFrom('scores').selectAll().orderBy('id', 'desc').limit(filter.limit);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      if (filter.exerciseId !== undefined) query = query.where('exercise_id', '=', filter.exerciseId);
      if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
      return (await query.execute()).map(toRecord);
    },

    /** Inserts a new score; undefined when the (user, exercise) pair exists already. */
    async insertIfAbsent(
      score: { userId: number; exerciseId: number; correct: boolean; attempts: number; solvedAt: string | null; at: string },
      trx: ScoresDb = db,
    ): Promise<ScoreRecord | undefined> {
      const row = await trx
        .insertInto('scores')
        .values({
          user_id: score.userId,
          exercise_id: score.exerciseId,
          correct: score.correct ? 1 : 0,
          attempts: score.attempts,
          solved_at: score.solvedAt,
          created_at: score.at,
          updated_at: score.at,
        })
        .onConflict((oc) => oc.columns(['user_id', 'exercise_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      return row && toRecord(row);
    },

    /**
     * Adds one graded attempt in a single statement (safe under concurrency): `correct` only ever
     * turns on, and `solved_at` keeps the earliest correct attempt, whatever order attempts arrive in.
     */
    async addAttempt(id: number, attempt: { correct: boolean; submittedAt: string }, trx: ScoresDb = db): Promise<ScoreRecord> {
      const { correct, submittedAt } = attempt;
      const row = await trx
        .updateTable('scores')
        .set({
          attempts: sql`attempts + 1`,
          ...(correct && {
            correct: 1,
            solved_at: sql`case when solved_at is null or solved_at > ${submittedAt} then ${submittedAt} else solved_at end`,
          }),
          updated_at: new Date().toISOString(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    /** An administrator's correction: sets `correct`; `solved_at` follows (now when set, null when cleared). */
    async setCorrect(id: number, correct: boolean, trx: ScoresDb = db): Promise<ScoreRecord | undefined> {
      const now = new Date().toISOString();
      const row = await trx
        .updateTable('scores')
        .set({
          correct: correct ? 1 : 0,
          solved_at: correct ? sql`coalesce(solved_at, ${now})` : null,
          updated_at: now,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toRecord(row);
    },

    /** Users by number of exercises solved; ties: the most recent solve first, then the higher id. */
    async leaderboard(limit: number): Promise<LeaderboardRow[]> {
      const rows = await db
        .selectFrom('scores')
        .select((eb) => ['user_id', eb.fn.countAll<number>().as('solved'), eb.fn.max<string>('solved_at').as('last_solved_at')])
        .where('correct', '=', 1)
        .groupBy('user_id')
        .orderBy('solved', 'desc')
        .orderBy('last_solved_at', 'desc')
        .orderBy('user_id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ userId: row.user_id, solved: Number(row.solved), lastSolvedAt: row.last_solved_at }));
    },
  };
}

export type ScoresRepo = ReturnType<typeof createScoresRepo>;
