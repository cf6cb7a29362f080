import type { Kysely } from 'kysely';

/** Idempotency keys of karma changes already applied, so a retried event counts once. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('karma_events')
    .addColumn('idempotency_key', 'varchar(200)', (col) => col.primaryKey())
    .addColumn('user_id', 'integer', (col) => col.notNull())
    .addColumn('delta', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('karma_events').execute();
}
