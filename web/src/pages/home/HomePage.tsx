import type { components } from '@codeyard/api-client';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, must } from '../../api/client';
import { useSession } from '../../app/useSession';
import { Alert, Card, type Column, DataTable, Empty, Loading, PageTitle, styles } from '../../ui';
import { PostItems } from '../posts/PostList';
import { useFeed } from '../posts/posts';

function RecentPosts() {
  // The first page of the all-posts feed (shared with /posts), its newest five shown here.
  const feed = useFeed(undefined, 'new');
  if (feed.isPending) return <Loading what="posts" />;
  if (feed.isError) return <Alert>Posts could not be loaded: {feed.error.message}</Alert>;
  const posts = feed.data.pages[0]?.posts.slice(0, 5) ?? [];
  if (posts.length === 0) return <Empty>No posts yet.</Empty>;
  return <PostItems posts={posts} label="Recent posts" />;
}

function ExercisesToTry() {
  const exercises = useQuery({
    queryKey: ['exercises', 'first', 5],
    queryFn: async () => must(await api.GET('/api/v1/exercises', { params: { query: { limit: 5 } } })),
  });
  if (exercises.isPending) return <Loading what="exercises" />;
  if (exercises.isError) return <Alert>Exercises could not be loaded: {exercises.error.message}</Alert>;
  if (exercises.data.length === 0) return <Empty>No exercises yet.</Empty>;
  return (
    <ul className={styles.list}>
      {exercises.data.map((exercise) => (
        <li key={exercise.id}>
          <Link to={`/exercises/${exercise.id}`}>{exercise.title}</Link> <span className={styles.muted}>({exercise.language})</span>
        </li>
      ))}
    </ul>
  );
}

const LEADER_COLUMNS: Column<components['schemas']['LeaderboardEntry']>[] = [
  { header: '#', cell: (_, index) => index + 1 },
  { header: 'User', cell: (entry) => <Link to={`/users/${entry.user_id}`}>{entry.username}</Link> },
  { header: 'Solved', cell: (entry) => entry.solved },
];

export function TopOfLeaderboard({ limit }: { limit: number }) {
  const leaders = useQuery({
    queryKey: ['leaderboard', limit],
    queryFn: async () => must(await api.GET('/api/v1/scores/leaderboard', { params: { query: { limit } } })),
  });
  if (leaders.isPending) return <Loading what="the leaderboard" />;
  if (leaders.isError) return <Alert>The leaderboard could not be loaded: {leaders.error.message}</Alert>;
  if (leaders.data.length === 0) return <Empty>Nobody has solved an exercise yet.</Empty>;
  return (
    <DataTable columns={LEADER_COLUMNS} rows={leaders.data} rowKey={(entry) => entry.user_id} />
  );
}

export function HomePage() {
  const { status, user } = useSession();
  return (
    <>
      <PageTitle>Codeyard</PageTitle>
      <p>
        Learn to code together: solve exercises in JavaScript, TypeScript and Python graded in a sandbox, climb the leaderboard, post in
        communities, vote and send each other messages.
      </p>
      {status === 'signed-in' && user ? (
        <p>Welcome back, {user.username}.</p>
      ) : status === 'signed-out' ? (
        <p>
          <Link to="/register">Register</Link> or <Link to="/login">log in</Link> to submit solutions, post and vote.
        </p>
      ) : null}
      <div className={styles.grid}>
        <Card title="Recent posts">
          <RecentPosts />
          <p>
            <Link to="/posts">All posts</Link> · <Link to="/communities">Communities</Link> · <Link to="/posts/new">Write a post</Link>
          </p>
        </Card>
        <Card title="Exercises to try">
          <ExercisesToTry />
        </Card>
        <Card title="Leaderboard">
          <TopOfLeaderboard limit={5} />
          <p>
            <Link to="/leaderboard">Full leaderboard</Link>
          </p>
        </Card>
      </div>
    </>
  );
}
