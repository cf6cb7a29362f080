import { withIdColumn } from '@codeyard/service-kit';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('communities')
    .addColumn('name', 'varchar(32)', (col) => col.primaryKey())
    .addColumn('post_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute();
  await withIdColumn(db, db.schema.createTable('posts'))
    .addColumn('title', 'varchar(300)', (col) => col.notNull())
    .addColumn('text', 'text', (col) => col.notNull())
    .addColumn('url', 'varchar(2000)')
    .addColumn('community', 'varchar(32)', (col) => col.notNull().references('communities.name'))
    .addColumn('user_id', 'integer', (col) => col.notNull())
    .addColumn('username', 'varchar(32)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute();
  // "Most recent" is descending id (ids grow with time): the primary key serves the global list,
  // this index the per-community one, both as an index range scan that stops after `limit` rows.
  await db.schema.createIndex('posts_community_id').on('posts').columns(['community', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('posts').execute();
  await db.schema.dropTable('communities').execute();
}
