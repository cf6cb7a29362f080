import type { posts as contracts } from '@codeyard/contracts';
import {
  type Actor,
  enqueueEvent,
  forbidden,
  type IdempotentResponse,
  notFound,
  requireUser,
  type UserActor,
  withIdempotency,
} from '@codeyard/service-kit';
import type { Kysely } from 'kysely';
import type { CommunitiesRepo, CommunityRecord } from '../db/communities-repo.js';
import type { PostRecord, PostSummaryRecord, PostsRepo } from '../db/posts-repo.js';
import type { PostsDatabase } from '../db/schema.js';

export function presentPost(post: PostRecord): contracts.Post {
  return {
    id: post.id,
    title: post.title,
    text: post.text,
    url: post.url,
    community: post.community,
    username: post.username,
    user_id: post.userId,
    created_at: post.createdAt,
  };
}

export function presentPostSummary(post: PostSummaryRecord): contracts.PostSummary {
  return {
    id: post.id,
    title: post.title,
    community: post.community,
    username: post.username,
    user_id: post.userId,
    created_at: post.createdAt,
  };
}

export function presentCommunity(community: CommunityRecord): contracts.Community {
  return { name: community.name, posts: community.posts, created_at: community.createdAt };
}

function requireAuthorOrAdmin(user: UserActor, post: PostRecord) {
  if (!user.admin && user.id !== post.userId)
    throw forbidden(`Post ${post.id} is someone else's; only its author or an admin can delete it`);
}

const postNotFound = (id: number) => notFound(`Post ${id} does not exist`);

export function createPostsDomain(deps: {
  db: Kysely<PostsDatabase>;
  posts: PostsRepo;
  communities: CommunitiesRepo;
  /** Called after a deletion (and its event for votes) committed: wakes the outbox relay. */
  onDeleted?: () => void;
}) {
  const { db, posts, communities, onDeleted } = deps;
  return {
    /** The author is the caller. The community is created by its first post. */
    async createPost(
      actor: Actor | null,
      input: contracts.CreatePostBody,
      idempotencyKey: string | undefined,
    ): Promise<IdempotentResponse<contracts.Post>> {
      const user = requireUser(actor);
      const post = { title: input.title, text: input.text, community: input.community, url: input.url ?? null };
      return withIdempotency(db, { userId: user.id, key: idempotencyKey, request: post }, async (trx) => {
        await communities.addPost(post.community, trx);
        const created = await posts.insert({ ...post, userId: user.id, username: user.username }, trx);
        return { statusCode: 201, body: presentPost(created) };
      });
    },

    async getPost(id: number): Promise<PostRecord> {
      const post = await posts.findById(id);
      if (!post) throw postNotFound(id);
      return post;
    },

    async deletePost(actor: Actor | null, id: number): Promise<void> {
      const user = requireUser(actor);
      await db.transaction().execute(async (trx) => {
        const post = await posts.findById(id, trx);
        if (!post) throw postNotFound(id);
        requireAuthorOrAdmin(user, post);
        // A concurrent delete may have won; then this one is a 404 and the count moves once.
        if (!(await posts.delete(id, trx))) throw postNotFound(id);
        await communities.removePost(post.community, trx);
        // Votes drops the post's tally from top lists and refuses further votes on it.
        await enqueueEvent(trx, { destination: 'votes', method: 'POST', path: `/votes/${id}/deleted`, body: {} });
      });
      onDeleted?.();
    },

    /** Newest first; `authorId` keeps one user's posts. */
    listRecentPosts: (page: { authorId?: number | undefined; beforeId?: number | undefined; limit: number }) =>
      posts.listRecent({ userId: page.authorId, beforeId: page.beforeId, limit: page.limit }),

    /** The posts with these ids, in the order given, without the ones that do not exist. */
    async listPostsByIds(ids: number[]): Promise<PostSummaryRecord[]> {
      const found = new Map((await posts.findSummaries(ids)).map((post) => [post.id, post]));
      return ids.flatMap((id) => found.get(id) ?? []);
    },

    async listCommunityPosts(name: string, page: { beforeId?: number | undefined; limit: number }) {
      if (!(await communities.find(name))) throw notFound(`Community ${name} does not exist`);
      return posts.listRecent({ ...page, community: name });
    },

    listCommunities: (page: { afterName?: string | undefined; limit: number }) => communities.list(page),
  };
}

export type PostsDomain = ReturnType<typeof createPostsDomain>;
