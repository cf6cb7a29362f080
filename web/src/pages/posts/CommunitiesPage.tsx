import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, must, nextCursor } from '../../api/client';
import { Alert, Empty, Loading, styles } from '../../ui';
import { HeadingWithNewPost, MoreButton } from './PostList';

export function CommunitiesPage() {
  const communities = useInfiniteQuery({
    queryKey: ['communities'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      const result = await api.GET('/api/v1/communities', { params: { query: { limit: 100, before: pageParam } } });
      return { communities: must(result), next: nextCursor(result.response) };
    },
    getNextPageParam: (last) => last.next,
  });
  const all = communities.data?.pages.flatMap((one) => one.communities) ?? [];
  return (
    <>
      <HeadingWithNewPost title="Communities" />
      <p>
        A community starts with its first post. Pick one to read its posts, or <Link to="/posts">read them all</Link>.
      </p>
      {communities.isPending ? (
        <Loading what="communities" />
      ) : communities.isError ? (
        <Alert>Communities could not be loaded: {communities.error.message}</Alert>
      ) : all.length === 0 ? (
        <Empty>No communities yet: write the first post.</Empty>
      ) : (
        <>
          <table className={styles.table}>
            <thead>
              <tr>
                <th scope="col">Community</th>
                <th scope="col">Posts</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {all.map((community) => (
                <tr key={community.name}>
                  <td>
                    <Link to={`/communities/${community.name}`}>{community.name}</Link>
                  </td>
                  <td>{community.posts}</td>
                  <td>{new Date(community.created_at).toLocaleDateString('en-GB')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <MoreButton query={communities} what="communities" />
        </>
      )}
    </>
  );
}
