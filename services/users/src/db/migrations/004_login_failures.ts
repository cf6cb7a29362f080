import type { Kysely } from 'kysely';

/** Failed sign-ins per account (or per unknown name) in the current window: the per-account throttle. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_failures')
    .addColumn('subject', 'varchar(300)', (col) => col.primaryKey())
    .addColumn('failures', 'integer', (col) => col.notNull())
    .addColumn('window_started_at', 'varchar(30)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('login_failures_window_started_at').on('login_failures').column('window_started_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_failures').execute();
}
