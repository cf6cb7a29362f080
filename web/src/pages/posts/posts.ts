// The data of the community pages. A page of posts costs a fixed number of calls whatever its
// length: the posts (one list call, or for "top" the ranked ids from votes and the posts by id),
// then every post's tally and the caller's own vote in one `GET /votes?post_ids=`.
import { type QueryClient, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { components } from '@codeyard/api-client';
import { api, must, nextCursor } from '../../api/client';
import { useSession } from '../../app/useSession';

export type PostSummary = components['schemas']['PostSummary'];
export type Tally = components['schemas']['VoteTallyWithMyVote'];
export type Direction = 'up' | 'down' | 'none';
export type FeedSort = 'new' | 'top';

export const PAGE_SIZE = 25;

interface PostsPage {
  posts: PostSummary[];
  next: string | undefined;
}

async function newestPosts(community: string | undefined, before: string | undefined): Promise<PostsPage> {
  const result = community
    ? await api.GET('/api/v1/communities/{name}/posts', { params: { path: { name: community }, query: { limit: PAGE_SIZE, before } } })
    : await api.GET('/api/v1/posts', { params: { query: { limit: PAGE_SIZE, before } } });
  return { posts: must(result), next: nextCursor(result.response) };
}

async function topPosts(community: string | undefined, before: string | undefined): Promise<PostsPage> {
  const ranked = await api.GET('/api/v1/votes/top', { params: { query: { limit: PAGE_SIZE, before, community } } });
  const ids = must(ranked).map((tally) => tally.post_id);
  // Votes keeps the tallies of deleted posts; posts leaves those out of its answer.
  const posts = ids.length === 0 ? [] : must(await api.GET('/api/v1/posts', { params: { query: { ids: ids.join(',') } } }));
  return { posts, next: nextCursor(ranked.response) };
}

/** The posts of one community (or of all), newest or top first, a page at a time. */
export function useFeed(community: string | undefined, sort: FeedSort) {
  return useInfiniteQuery({
    queryKey: ['posts', 'feed', community ?? '', sort],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => (sort === 'top' ? topPosts(community, pageParam) : newestPosts(community, pageParam)),
    getNextPageParam: (last) => last.next,
  });
}

/** One user's posts, newest first, a page at a time. */
export function useAuthorPosts(authorId: number) {
  return useInfiniteQuery({
    queryKey: ['posts', 'author', authorId],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }): Promise<PostsPage> => {
      const result = await api.GET('/api/v1/posts', { params: { query: { author_id: authorId, limit: PAGE_SIZE, before: pageParam } } });
      return { posts: must(result), next: nextCursor(result.response) };
    },
    getNextPageParam: (last) => last.next,
  });
}

/**
 * The tallies of these posts with the caller's own vote, in one call. Keyed by the signed-in user
 * (the same posts show another `my_vote` after logging in) and only asked once the session is known.
 */
export function useTallies(postIds: number[]) {
  const { status, user } = useSession();
  const ids = postIds.join(',');
  return useQuery({
    queryKey: ['tallies', user?.id ?? 0, ids],
    enabled: ids !== '' && status !== 'unknown',
    queryFn: async () => must(await api.GET('/api/v1/votes', { params: { query: { post_ids: ids } } })),
  });
}

/** The tally after the caller's vote changes to `direction`: what the server will answer. */
export function withVote(tally: Tally, direction: Direction): Tally {
  const previous = tally.my_vote ?? 'none';
  const upvotes = tally.upvotes - (previous === 'up' ? 1 : 0) + (direction === 'up' ? 1 : 0);
  const downvotes = tally.downvotes - (previous === 'down' ? 1 : 0) + (direction === 'down' ? 1 : 0);
  return { ...tally, upvotes, downvotes, score: upvotes - downvotes, my_vote: direction };
}

/** Applies `change` to this post's tally in every cached list of tallies that holds it. */
export function updateCachedTally(queryClient: QueryClient, postId: number, change: (tally: Tally) => Tally) {
  for (const [key, tallies] of queryClient.getQueriesData<Tally[]>({ queryKey: ['tallies'] })) {
    if (tallies?.some((tally) => tally.post_id === postId))
      queryClient.setQueryData(
        key,
        tallies.map((tally) => (tally.post_id === postId ? change(tally) : tally)),
      );
  }
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['minute', 60],
  ['hour', 60 * 60],
  ['day', 24 * 60 * 60],
];

/** "just now", "5 minutes ago", "3 hours ago", "yesterday", …; older than a week: the date. */
export function ageOf(createdAt: string, now = Date.now()): string {
  const seconds = Math.max(0, (now - Date.parse(createdAt)) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds >= 7 * 24 * 60 * 60) return new Date(createdAt).toLocaleDateString('en-GB');
  let unit = STEPS[0] as [Intl.RelativeTimeFormatUnit, number];
  for (const step of STEPS) if (seconds >= step[1]) unit = step;
  return relative.format(-Math.floor(seconds / unit[1]), unit[0]);
}
