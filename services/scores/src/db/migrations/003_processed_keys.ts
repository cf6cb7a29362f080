import { copyRowsInBatches, createProcessedKeysTable, dropProcessedKeysTable, PROCESSED_KEYS_TABLE } from '@codeyard/service-kit';
import type { Kysely } from 'kysely';

/** `score_events` becomes scope `score` of service-kit's `processed_keys` (one shape for applied keys). */
export async function up(db: Kysely<any>): Promise<void> {
  await createProcessedKeysTable(db);
  await copyRowsInBatches(db, {
    from: 'score_events',
    to: PROCESSED_KEYS_TABLE,
    orderBy: 'idempotency_key',
    map: (row) => ({
      scope: 'score',
      key: row.idempotency_key,
      result: JSON.stringify({ userId: Number(row.user_id), exerciseId: Number(row.exercise_id), correct: Number(row.correct) === 1 }),
      created_at: row.created_at,
    }),
  });
  await db.schema.dropTable('score_events').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('score_events')
    .addColumn('idempotency_key', 'varchar(250)', (col) => col.primaryKey())
    .addColumn('user_id', 'integer', (col) => col.notNull())
    .addColumn('exercise_id', 'integer', (col) => col.notNull())
    .addColumn('correct', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute();
  await copyRowsInBatches(db, {
    from: PROCESSED_KEYS_TABLE,
    to: 'score_events',
    orderBy: 'key',
    where: ['scope', 'score'],
    map: (row) => {
      const result = (row.result === null ? {} : JSON.parse(row.result)) as { userId?: number; exerciseId?: number; correct?: boolean };
      return {
        idempotency_key: row.key,
        user_id: result.userId ?? 0,
        exercise_id: result.exerciseId ?? 0,
        correct: result.correct ? 1 : 0,
        created_at: row.created_at,
      };
    },
  });
  await dropProcessedKeysTable(db);
}
