import { withIdColumn } from '@codeyard/service-kit';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await withIdColumn(db, db.schema.createTable('messages'))
    .addColumn('sender_id', 'integer', (col) => col.notNull())
    .addColumn('sender_username', 'varchar(32)', (col) => col.notNull())
    .addColumn('recipient_id', 'integer', (col) => col.notNull())
    .addColumn('recipient_username', 'varchar(32)', (col) => col.notNull())
    .addColumn('content', 'text', (col) => col.notNull())
    .addColumn('sender_deleted', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('recipient_deleted', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('sender_favorite', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('recipient_favorite', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute();
  // Inbox and sent box: one party's messages, newest (highest id) first.
  await db.schema.createIndex('messages_inbox').on('messages').columns(['recipient_id', 'id']).execute();
  await db.schema.createIndex('messages_sent').on('messages').columns(['sender_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('messages').execute();
}
