import type { exercises as contracts } from '@codeyard/contracts';
import type { Kysely, Selectable } from 'kysely';
import type { ExercisesDatabase, SubmissionsTable } from './schema.js';

/** A test result as the sandbox reported it (hidden tests' values included). */
export interface StoredTestResult {
  name: string;
  status: string;
  expected?: contracts.TestCase['expected'];
  actual?: contracts.TestCase['expected'];
  message?: string;
  duration_ms: number;
}

export interface SubmissionRecord {
  id: number;
  exerciseId: number;
  userId: number;
  code: string;
  status: contracts.RunStatus;
  passed: number;
  total: number;
  results: StoredTestResult[];
  stdout: string;
  durationMs: number;
  exampleCount: number;
  createdAt: string;
}

export type NewSubmission = Omit<SubmissionRecord, 'id'>;

const toRecord = (row: Selectable<SubmissionsTable>): SubmissionRecord => ({
  id: row.id,
  exerciseId: row.exercise_id,
  userId: row.user_id,
  code: row.code,
  status: row.status as contracts.RunStatus,
  passed: row.passed,
  total: row.total,
  results: JSON.parse(row.results) as StoredTestResult[],
  stdout: row.stdout,
  durationMs: row.duration_ms,
  exampleCount: row.example_count,
  createdAt: row.created_at,
});

export type SubmissionsDb = Kysely<ExercisesDatabase>;

export function createSubmissionsRepo(db: SubmissionsDb) {
  return {
    async insert(submission: NewSubmission, trx: SubmissionsDb = db): Promise<SubmissionRecord> {
      const row = await trx
        .insertInto('submissions')
        .values({
          exercise_id: submission.exerciseId,
          user_id: submission.userId,
          code: submission.code,
          status: submission.status,
          passed: submission.passed,
          total: submission.total,
          results: JSON.stringify(submission.results),
          stdout: submission.stdout,
          duration_ms: submission.durationMs,
          example_count: submission.exampleCount,
          created_at: submission.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async findById(id: number, trx: SubmissionsDb = db): Promise<SubmissionRecord | undefined> {
      const row = await trx.selectFrom('submissions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },

    /** One user's submissions to one exercise, newest first; `beforeId` is the cursor. */
    async listByUser(filter: { exerciseId: number; userId: number; beforeId?: number | undefined; limit: number }) {
      let query = db
        .selectFrom('submissions')
        .selectAll()
        .where('exercise_id', '=', filter.exerciseId)
        .where('user_id', '=', filter.userId)
        .orderBy('id', 'desc')
        .limit(filter.limit);
      if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
      return (await query.execute()).map(toRecord);
    },
  };
}

export type SubmissionsRepo = ReturnType<typeof createSubmissionsRepo>;
