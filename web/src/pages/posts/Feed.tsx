import { Link, useSearchParams } from 'react-router';
import { ApiRequestError } from '../../api/client';
import { Empty, styles } from '../../ui';
import { PostList } from './PostList';
import { type FeedSort, useFeed } from './posts';

const SORTS: { sort: FeedSort; label: string }[] = [
  { sort: 'new', label: 'New' },
  { sort: 'top', label: 'Top' },
];

/** A feed of posts (one community's, or all), with New / Top tabs kept in `?sort=`. */
export function Feed({ community }: { community?: string }) {
  const [params] = useSearchParams();
  const sort: FeedSort = params.get('sort') === 'top' ? 'top' : 'new';
  const feed = useFeed(community, sort);
  // A community exists from its first post: before that its feed is a 404.
  if (community && feed.error instanceof ApiRequestError && feed.error.status === 404)
    return (
      <Empty>
        There is no community called {community} yet. <Link to={`/posts/new?community=${community}`}>Write its first post</Link>.
      </Empty>
    );
  const label = `${sort === 'top' ? 'Top' : 'New'} posts${community ? ` in ${community}` : ''}`;
  return (
    <>
      <nav aria-label="Sort posts" className={styles.tabs}>
        {SORTS.map((entry) => (
          <Link key={entry.sort} to={`?sort=${entry.sort}`} aria-current={entry.sort === sort ? 'page' : undefined}>
            {entry.label}
          </Link>
        ))}
      </nav>
      <PostList
        query={feed}
        label={label}
        empty={sort === 'top' ? 'No post has a vote yet: posts appear here once someone votes on them.' : 'No posts yet.'}
      />
    </>
  );
}
