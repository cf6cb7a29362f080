import type { Kysely } from 'kysely';

// `GET /posts?author_id=` (a user's page) lists one author's posts newest first: an index range
// scan on (user_id, id) that stops after `limit` rows, like the per-community list.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('posts_user_id_id').on('posts').columns(['user_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('posts_user_id_id').execute();
}
