import { type Kysely, sql } from 'kysely';

/**
 * `gone_at`: posts said the post does not exist (it never did, or it was deleted). A gone post
 * leaves top lists and rank, and takes no more votes. Every post already resolved is looked up
 * once more by the resolver (its `next_resolve_at` is set), so tallies of posts deleted before
 * posts announced deletions are found too.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('post_tallies').addColumn('gone_at', 'varchar(30)').execute();
  await db.updateTable('post_tallies').set({ next_resolve_at: sql`created_at` }).where('author_id', 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.updateTable('post_tallies').set({ next_resolve_at: null }).where('author_id', 'is not', null).execute();
  await db.schema.alterTable('post_tallies').dropColumn('gone_at').execute();
}
