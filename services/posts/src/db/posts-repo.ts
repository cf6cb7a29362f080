import type { Kysely, Selectable } from 'kysely';
import type { PostsDatabase, PostsTable } from './schema.js';

export interface PostRecord {
  id: number;
  title: string;
  text: string;
  url: string | null;
  community: string;
  userId: number;
  username: string;
  createdAt: string;
}

export type PostSummaryRecord = Omit<PostRecord, 'text' | 'url'>;

export interface NewPost {
  title: string;
  text: string;
  url: string | null;
  community: string;
  userId: number;
  username: string;
}

type Db = Kysely<PostsDatabase>;

const toRecord = (row: Selectable<PostsTable>): PostRecord => ({
  id: row.id,
  title: row.title,
  text: row.text,
  url: row.url,
  community: row.community,
  userId: row.user_id,
  username: row.username,
  createdAt: row.created_at,
});

const SUMMARY_COLUMNS = ['id', 'title', 'community', 'user_id', 'username', 'created_at'] as const;

const toSummary = (row: Pick<Selectable<PostsTable>, (typeof SUMMARY_COLUMNS)[number]>): PostSummaryRecord => ({
  id: row.id,
  title: row.title,
  community: row.community,
  userId: row.user_id,
  username: row.username,
  createdAt: row.created_at,
});

export function createPostsRepo(db: Db) {
  return {
    async insert(post: NewPost, trx: Db = db): Promise<PostRecord> {
      const row = await trx
        .insertInto('posts')
        .values({
          title: post.title,
          text: post.text,
          url: post.url,
          community: post.community,
          user_id: post.userId,
          username: post.username,
          created_at: new Date().toISOString(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async findById(id: number, trx: Db = db): Promise<PostRecord | undefined> {
      const row = await trx.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },

    async delete(id: number, trx: Db = db): Promise<boolean> {
      const result = await trx.deleteFrom('posts').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** Newest first, without text and url; `community` or `userId` narrows it, `beforeId` is the cursor. */
    async listRecent(filter: {
      community?: string | undefined;
      userId?: number | undefined;
      beforeId?: number | undefined;
      limit: number;
    }): Promise<PostSummaryRecord[]> {
      let query = db.selectFrom('posts').select(SUMMARY_COLUMNS).orderBy('id', 'desc').limit(filter.limit);
      if (filter.community !== undefined) query = query.where('community', '=', filter.community);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
      return (await query.execute()).map(toSummary);
    },

    /** The posts with these ids that exist, without text and url, in no particular order. */
    async findSummaries(ids: number[]): Promise<PostSummaryRecord[]> {
      if (ids.length === 0) return [];
      return (await db.selectFrom('posts').select(SUMMARY_COLUMNS).where('id', 'in', ids).execute()).map(toSummary);
    },
  };
}

export type PostsRepo = ReturnType<typeof createPostsRepo>;
