import { withIdColumn } from '@codeyard/service-kit';
import type { Kysely } from 'kysely';

/**
 * What other services must refuse before an access token expires: a signed-out login
 * (session_id) or every token of a user below a token version (password change, deactivation,
 * deletion). Kept one access-token lifetime; other services poll it (decision 002).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withIdColumn(db, db.schema.createTable('revocations'))
    .addColumn('user_id', 'integer', (col) => col.notNull())
    .addColumn('session_id', 'varchar(64)')
    .addColumn('min_token_version', 'integer')
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('revocations_created_at').on('revocations').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('revocations').execute();
}
