import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ApiRequestError, api, must } from '../../api/client';
import { Alert, Card, Empty, Loading, PageTitle, styles } from '../../ui';
import { NotFoundPage } from '../errors/NotFoundPage';
import { PostList } from '../posts/PostList';
import { useAuthorPosts } from '../posts/posts';

function SolvedExercises({ userId }: { userId: number }) {
  const scores = useQuery({
    queryKey: ['scores', 'user', userId],
    queryFn: async () => must(await api.GET('/api/v1/scores', { params: { query: { user_id: userId, limit: 100 } } })),
  });
  // One call for the titles of every exercise (there are few), not one per score.
  const exercises = useQuery({
    queryKey: ['exercises', 'all'],
    queryFn: async () => must(await api.GET('/api/v1/exercises', { params: { query: { limit: 100 } } })),
  });
  if (scores.isPending || exercises.isPending) return <Loading what="solved exercises" />;
  if (scores.isError) return <Alert>Scores could not be loaded: {scores.error.message}</Alert>;
  if (exercises.isError) return <Alert>Exercises could not be loaded: {exercises.error.message}</Alert>;
  const titles = new Map(exercises.data.map((exercise) => [exercise.id, exercise.title]));
  const solved = scores.data.filter((score) => score.correct);
  if (solved.length === 0) return <Empty>No exercise solved yet.</Empty>;
  return (
    <ul className={styles.list}>
      {solved.map((score) => (
        <li key={score.id}>
          <Link to={`/exercises/${score.exercise_id}`}>{titles.get(score.exercise_id) ?? `Exercise ${score.exercise_id}`}</Link>{' '}
          <span className={styles.muted}>
            ({score.attempts} {score.attempts === 1 ? 'attempt' : 'attempts'})
          </span>
        </li>
      ))}
    </ul>
  );
}

function UserPosts({ userId, username }: { userId: number; username: string }) {
  const posts = useAuthorPosts(userId);
  return <PostList query={posts} label={`Posts by ${username}`} empty="No posts yet." />;
}

export function UserPage() {
  const id = Number(useParams().id);
  const valid = Number.isInteger(id) && id > 0;
  const user = useQuery({
    queryKey: ['users', id],
    enabled: valid,
    queryFn: async () => must(await api.GET('/api/v1/users/{id}', { params: { path: { id } } })),
  });
  if (!valid || (user.error instanceof ApiRequestError && user.error.status === 404)) return <NotFoundPage />;
  if (user.isPending) return <Loading what="the user" />;
  if (user.isError) return <Alert>The user could not be loaded: {user.error.message}</Alert>;
  const shown = user.data;
  return (
    <>
      <PageTitle>{shown.username}</PageTitle>
      <p>
        Karma {shown.karma} · joined {new Date(shown.created_at).toLocaleDateString('en-GB')}
        {shown.active ? '' : ' · deactivated'}
      </p>
      <p>
        <Link to={`/messages?to=${encodeURIComponent(shown.username)}`}>Send {shown.username} a message</Link>
      </p>
      <Card title="Solved exercises">
        <SolvedExercises userId={shown.id} />
      </Card>
      <Card title="Posts">
        <UserPosts userId={shown.id} username={shown.username} />
      </Card>
    </>
  );
}
