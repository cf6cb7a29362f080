import { isUnknownRouteAnswer, type ServiceClient } from '@codeyard/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { PostInfo } from '../db/tallies-repo.js';

export type PostLookup = { status: 'found'; info: PostInfo } | { status: 'missing' } | { status: 'unavailable' };

const postAnswer = z.object({ user_id: z.number().int().positive(), community: z.string().min(1).max(32), created_at: z.string().max(30) });

/**
 * Asks posts who wrote a post and where. The answer never changes, so it is cached (LRU) and
 * concurrent questions about one post share one request: a burst of votes on a new post costs
 * posts a single GET.
 */
export function createPostDirectory(options: { client: ServiceClient; timeoutMs: number; logger: FastifyBaseLogger; cacheSize?: number }) {
  const { client, timeoutMs, logger } = options;
  const cacheSize = options.cacheSize ?? 10_000;
  const cache = new Map<number, PostInfo>();
  const inFlight = new Map<number, Promise<PostLookup>>();

  function remember(postId: number, info: PostInfo) {
    cache.delete(postId);
    cache.set(postId, info);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as number);
  }

  async function ask(postId: number, requestId: string | undefined): Promise<PostLookup> {
    try {
      const response = await client('GET', `/posts/${postId}`, { requestId, timeoutMs });
      if (response.status === 404 && !isUnknownRouteAnswer(response.body)) {
        cache.delete(postId);
        return { status: 'missing' };
      }
      if (response.status === 404) {
        // POSTS_URL points at something that is not posts: never take that for "no such post".
        logger.error({ postId }, 'POSTS_URL answers "no such route" for GET /posts/{id}: is it the posts service?');
        return { status: 'unavailable' };
      }
      if (response.status !== 200) {
        logger.warn({ postId, status: response.status }, 'posts could not say who wrote a post');
        return { status: 'unavailable' };
      }
      const parsed = postAnswer.safeParse(response.body);
      if (!parsed.success) {
        logger.error({ postId }, 'posts answered with an unexpected post shape');
        return { status: 'unavailable' };
      }
      const info = { authorId: parsed.data.user_id, community: parsed.data.community, createdAt: parsed.data.created_at };
      remember(postId, info);
      return { status: 'found', info };
    } catch {
      return { status: 'unavailable' };
    }
  }

  return {
    /** Drops what we know about a post that was deleted. */
    forget: (postId: number): void => {
      cache.delete(postId);
    },

    /** What we already know about the post, without asking. */
    cached: (postId: number): PostInfo | undefined => cache.get(postId),

    /** `fresh` asks posts even when the post is cached (to learn whether it still exists). */
    lookup(postId: number, requestId?: string, options: { fresh?: boolean } = {}): Promise<PostLookup> {
      const cached = options.fresh ? undefined : cache.get(postId);
      if (cached) {
        remember(postId, cached);
        return Promise.resolve({ status: 'found', info: cached });
      }
      let pending = inFlight.get(postId);
      if (!pending) {
        pending = ask(postId, requestId).finally(() => inFlight.delete(postId));
        inFlight.set(postId, pending);
      }
      return pending;
    },
  };
}

export type PostDirectory = ReturnType<typeof createPostDirectory>;
