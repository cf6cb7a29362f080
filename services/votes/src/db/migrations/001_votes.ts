import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('votes')
    .addColumn('post_id', 'integer', (col) => col.notNull())
    .addColumn('user_id', 'integer', (col) => col.notNull())
    .addColumn('direction', 'integer', (col) => col.notNull().check(sql`direction in (1, -1)`))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(30)', (col) => col.notNull())
    // One vote per (user, post); post first so a post's votes are one index range.
    .addPrimaryKeyConstraint('votes_pk', ['post_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('post_tallies')
    .addColumn('post_id', 'integer', (col) => col.primaryKey())
    .addColumn('author_id', 'integer')
    .addColumn('community', 'varchar(32)')
    .addColumn('post_created_at', 'varchar(30)')
    .addColumn('upvotes', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('downvotes', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('score', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('resolve_attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_resolve_at', 'varchar(30)')
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(30)', (col) => col.notNull())
    .execute();
  // Top lists: score descending, ties newest (highest id) first, overall and per community.
  await db.schema.createIndex('post_tallies_top').on('post_tallies').columns(['score', 'post_id']).execute();
  await db.schema.createIndex('post_tallies_community_top').on('post_tallies').columns(['community', 'score', 'post_id']).execute();
  await db.schema.createIndex('post_tallies_unresolved').on('post_tallies').column('next_resolve_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('post_tallies').execute();
  await db.schema.dropTable('votes').execute();
}
