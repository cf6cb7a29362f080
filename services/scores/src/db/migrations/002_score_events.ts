import type { Kysely } from 'kysely';

/**
 * Idempotency keys of attempts already recorded (with what they recorded), so a redelivered
 * event counts once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('score_events')
    .addColumn('idempotency_key', 'varchar(250)', (col) => col.primaryKey())
    .addColumn('user_id', 'integer', (col) => col.notNull())
    .addColumn('exercise_id', 'integer', (col) => col.notNull())
    .addColumn('correct', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('score_events').execute();
}
