import { Link, useParams } from 'react-router';
import { NotFoundPage } from '../errors/NotFoundPage';
import { Feed } from './Feed';
import { HeadingWithNewPost } from './PostList';
import { communityProblem } from './rules';

/** Every community's posts: `/posts`. */
export function PostsPage() {
  return (
    <>
      <HeadingWithNewPost title="Posts" />
      <p>
        The newest posts of every community, or the best voted. <Link to="/communities">Browse communities</Link>.
      </p>
      <Feed />
    </>
  );
}

/** One community's posts: `/communities/:name`. */
export function CommunityPage() {
  const name = useParams().name ?? '';
  if (communityProblem(name)) return <NotFoundPage />;
  return (
    <>
      <HeadingWithNewPost title={name} community={name} />
      <p>
        A community of Codeyard. <Link to="/communities">All communities</Link> · <Link to="/posts">All posts</Link>
      </p>
      <Feed key={name} community={name} />
    </>
  );
}
