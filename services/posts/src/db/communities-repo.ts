import { type Kysely, sql } from 'kysely';
import type { PostsDatabase } from './schema.js';

export interface CommunityRecord {
  name: string;
  posts: number;
  createdAt: string;
}

type Db = Kysely<PostsDatabase>;

export function createCommunitiesRepo(db: Db) {
  return {
    /** Creates the community on its first post, or counts one more post; one statement either way. */
    async addPost(name: string, trx: Db = db): Promise<void> {
      await trx
        .insertInto('communities')
        .values({ name, post_count: 1, created_at: new Date().toISOString() })
        .onConflict((oc) => oc.column('name').doUpdateSet({ post_count: sql`communities.post_count + 1` }))
        .execute();
    },

    async removePost(name: string, trx: Db = db): Promise<void> {
      await trx.updateTable('communities').set({ post_count: sql`post_count - 1` }).where('name', '=', name).execute();
    },

    async find(name: string, trx: Db = db): Promise<CommunityRecord | undefined> {
      const row = await trx.selectFrom('communities').selectAll().where('name', '=', name).executeTakeFirst();
      return row && { name: row.name, posts: row.post_count, createdAt: row.created_at };
    },

    /** Alphabetical; `afterName` is the cursor. */
    async list(filter: { afterName?: string | undefined; limit: number }): Promise<CommunityRecord[]> {
      let query = db.selectFrom('communities').selectAll().orderBy('name').limit(filter.limit);
      if (filter.afterName !== undefined) query = query.where('name', '>', filter.afterName);
      const rows = await query.execute();
      return rows.map((row) => ({ name: row.name, posts: row.post_count, createdAt: row.created_at }));
    },
  };
}

export type CommunitiesRepo = ReturnType<typeof createCommunitiesRepo>;
