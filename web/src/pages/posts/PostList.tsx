import { Link } from 'react-router';
import { Alert, Button, Empty, Loading, PageTitle, styles } from '../../ui';
import { ageOf, type PostSummary, type Tally, useTallies } from './posts';
import page from './posts.module.css';
import { VoteControl } from './VoteControl';

function PostRow({ post, tally }: { post: PostSummary; tally: Tally | undefined }) {
  return (
    <li className={page.post}>
      <VoteControl postId={post.id} title={post.title} tally={tally} />
      <div className={page.body}>
        <Link to={`/posts/${post.id}`} className={page.title}>
          {post.title}
        </Link>
        <div className={page.meta}>
          in <Link to={`/communities/${post.community}`}>{post.community}</Link> · by{' '}
          <Link to={`/users/${post.user_id}`}>{post.username}</Link> · <time dateTime={post.created_at}>{ageOf(post.created_at)}</time>
        </div>
      </div>
    </li>
  );
}

/** The rows of one page of posts, with their tallies fetched in one call. */
function PostRows({ posts }: { posts: PostSummary[] }) {
  const tallies = useTallies(posts.map((post) => post.id));
  const byPost = new Map((tallies.data ?? []).map((tally) => [tally.post_id, tally]));
  return (
    <>
      {tallies.isError && (
        <li>
          <Alert>Scores could not be loaded: {tallies.error.message}</Alert>
        </li>
      )}
      {posts.map((post) => (
        <PostRow key={post.id} post={post} tally={byPost.get(post.id)} />
      ))}
    </>
  );
}

/** A short, unpaged list of posts (the home page's latest). */
export function PostItems({ posts, label }: { posts: PostSummary[]; label: string }) {
  return (
    <ul className={styles.list} aria-label={label}>
      <PostRows posts={posts} />
    </ul>
  );
}

interface PagedPosts {
  data?: { pages: { posts: PostSummary[] }[] } | undefined;
  isPending: boolean;
  isError: boolean;
  error: Error | null;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/** A paged list of posts (from `useFeed` or `useAuthorPosts`) with its loading, error and empty states. */
export function PostList({ query, label, empty }: { query: PagedPosts; label: string; empty: string }) {
  if (query.isPending) return <Loading what="posts" />;
  if (query.isError || !query.data) return <Alert>Posts could not be loaded: {query.error?.message}</Alert>;
  const pages = query.data.pages.filter((one) => one.posts.length > 0);
  if (pages.length === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      <ul className={styles.list} aria-label={label}>
        {pages.map((one) => (
          <PostRows key={one.posts[0]?.id} posts={one.posts} />
        ))}
      </ul>
      <MoreButton query={query} what="posts" />
    </>
  );
}

/** "More …" under a paged list while the API has a next page. */
export function MoreButton({ query, what }: { query: Omit<PagedPosts, 'data' | 'isPending' | 'isError' | 'error'>; what: string }) {
  if (!query.hasNextPage) return null;
  return (
    <p>
      <Button variant="secondary" disabled={query.isFetchingNextPage} onClick={() => query.fetchNextPage()}>
        {query.isFetchingNextPage ? 'Loading more…' : `More ${what}`}
      </Button>
    </p>
  );
}

/** A page's heading with its "New post" button (for `community` when given). */
export function HeadingWithNewPost({ title, community }: { title: string; community?: string }) {
  return (
    <div className={page.heading}>
      <PageTitle>{title}</PageTitle>
      <Link to={community ? `/posts/new?community=${encodeURIComponent(community)}` : '/posts/new'} className={styles.button}>
        New post
      </Link>
    </div>
  );
}
