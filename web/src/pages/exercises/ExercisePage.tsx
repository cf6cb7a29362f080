import type { components } from '@codeyard/api-client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { ApiRequestError, api, must } from '../../api/client';
import { useSession } from '../../app/useSession';
import { Alert, Button, Card, Empty, Loading, PageTitle, styles } from '../../ui';
import { NotFoundPage } from '../errors/NotFoundPage';
import page from './exercises.module.css';
import { Results } from './Results';
import { Statement } from './Statement';
import { difficultyLabel, languageLabel } from './useExercises';

// CodeMirror is loaded with this page only, keeping it out of the first load of `/`.
const CodeEditor = lazy(() => import('./CodeEditor').then((module) => ({ default: module.CodeEditor })));

type Exercise = components['schemas']['Exercise'];
type Submission = components['schemas']['Submission'];
type Score = components['schemas']['Score'];

function Examples({ exercise }: { exercise: Exercise }) {
  if (exercise.examples.length === 0) return null;
  return (
    <Card title="Examples">
      <ul className={styles.list}>
        {exercise.examples.map((example, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: examples never reorder
          <li key={index}>
            <code>
              {exercise.entrypoint}({example.args.map((arg) => JSON.stringify(arg)).join(', ')})
            </code>{' '}
            → <code>{JSON.stringify(example.expected)}</code>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function PreviousAttempts({ exerciseId }: { exerciseId: number }) {
  const attempts = useQuery({
    queryKey: ['exercises', exerciseId, 'submissions'],
    queryFn: async () =>
      must(await api.GET('/api/v1/exercises/{id}/submissions', { params: { path: { id: exerciseId }, query: { limit: 25 } } })),
  });
  if (attempts.isPending) return <Loading what="your attempts" />;
  if (attempts.isError) return <Alert>Your attempts could not be loaded: {attempts.error.message}</Alert>;
  if (attempts.data.length === 0) return <Empty>No attempts yet.</Empty>;
  return (
    <ol className={styles.list} aria-label="Previous attempts">
      {attempts.data.map((submission) => (
        <li key={submission.id}>
          <details className={page.attempt}>
            <summary>
              <span className={submission.status === 'passed' ? page.passed : page.failed}>
                {submission.status === 'passed' ? 'Passed' : 'Not passed'}
              </span>{' '}
              {submission.passed}/{submission.total} tests · {new Date(submission.created_at).toLocaleString('en-GB')}
            </summary>
            <Results outcome={submission} title={`Attempt ${submission.id}`} />
            <h4>Code</h4>
            <pre className={page.stdout}>
              <code>{submission.code}</code>
            </pre>
          </details>
        </li>
      ))}
    </ol>
  );
}

/** The caller's score after a graded submission, shown at once; the server's copy follows through its outbox. */
function withSubmission(scores: Score[] | undefined, submission: Submission): Score[] | undefined {
  if (!scores) return scores;
  const passed = submission.status === 'passed';
  const existing = scores.find((score) => score.exercise_id === submission.exercise_id);
  if (!existing)
    return [
      ...scores,
      {
        id: 0,
        user_id: submission.user_id,
        exercise_id: submission.exercise_id,
        correct: passed,
        attempts: 1,
        solved_at: passed ? submission.created_at : null,
        updated_at: submission.created_at,
      },
    ];
  return scores.map((score) =>
    score === existing
      ? {
          ...score,
          correct: score.correct || passed,
          attempts: score.attempts + 1,
          solved_at: score.solved_at ?? (passed ? submission.created_at : null),
          updated_at: submission.created_at,
        }
      : score,
  );
}

function Workbench({ exercise }: { exercise: Exercise }) {
  const { status } = useSession();
  const location = useLocation();
  const queryClient = useQueryClient();
  const [code, setCode] = useState(exercise.starter_code);
  const run = useMutation({
    mutationFn: async () =>
      must(
        await api.POST('/api/v1/eval', {
          body: {
            language: exercise.language,
            code,
            entrypoint: exercise.entrypoint,
            tests: exercise.examples.map((example, index) => ({ ...example, name: `example ${index + 1}` })),
          },
        }),
      ),
  });
  const submit = useMutation({
    mutationFn: async () =>
      must(
        await api.POST('/api/v1/exercises/{id}/submissions', {
          params: { path: { id: exercise.id }, header: { 'idempotency-key': crypto.randomUUID() } },
          body: { code },
        }),
      ),
    onSuccess: (submission) => {
      queryClient.setQueryData<Submission[]>(['exercises', exercise.id, 'submissions'], (list) => (list ? [submission, ...list] : list));
      void queryClient.invalidateQueries({ queryKey: ['exercises', exercise.id, 'submissions'] });
      queryClient.setQueryData<Score[]>(['scores', 'mine'], (scores) => withSubmission(scores, submission));
      void queryClient.invalidateQueries({ queryKey: ['leaderboard'] });
    },
  });
  const busy = run.isPending || submit.isPending;
  // The latest of the two is the one shown.
  const shown =
    run.submittedAt > submit.submittedAt
      ? run.data && { outcome: run.data, title: 'Run on the examples' }
      : submit.data && { outcome: submit.data, title: 'Graded submission' };
  const error = (run.submittedAt > submit.submittedAt ? run.error : submit.error) as ApiRequestError | Error | null;
  return (
    <Card title="Your solution">
      <Suspense fallback={<Loading what="the editor" />}>
        <CodeEditor language={exercise.language} initialCode={exercise.starter_code} onChange={setCode} label="Code" />
      </Suspense>
      {status === 'signed-in' ? (
        <div className={page.actions}>
          <Button variant="secondary" disabled={busy || !code.trim()} onClick={() => run.mutate()}>
            {run.isPending ? 'Running…' : 'Run'}
          </Button>
          <Button disabled={busy || !code.trim()} onClick={() => submit.mutate()}>
            {submit.isPending ? 'Submitting…' : 'Submit'}
          </Button>
          <span className={styles.muted}>Run tries the examples; Submit grades against the hidden tests too.</span>
        </div>
      ) : status === 'signed-out' ? (
        <p>
          <Link to="/login" state={{ from: location.pathname }}>
            Log in
          </Link>{' '}
          to run and submit your code.
        </p>
      ) : null}
      {!busy && error && <Alert>{error.message}</Alert>}
      {!busy && shown && <Results outcome={shown.outcome} title={shown.title} />}
    </Card>
  );
}

export function ExercisePage() {
  const id = Number(useParams().id);
  const valid = Number.isInteger(id) && id > 0;
  const { status, user } = useSession();
  const exercise = useQuery({
    queryKey: ['exercises', id],
    enabled: valid,
    queryFn: async () => must(await api.GET('/api/v1/exercises/{id}', { params: { path: { id } } })),
  });
  if (!valid || (exercise.error instanceof ApiRequestError && exercise.error.status === 404)) return <NotFoundPage />;
  if (exercise.isPending) return <Loading what="the exercise" />;
  if (exercise.isError) return <Alert>The exercise could not be loaded: {exercise.error.message}</Alert>;
  const shown = exercise.data;
  return (
    <>
      <PageTitle>{shown.title}</PageTitle>
      <p className={styles.muted}>
        {languageLabel(shown.language)} · {difficultyLabel(shown.difficulty)} · write a function <code>{shown.entrypoint}</code> ·{' '}
        <Link to="/exercises">All exercises</Link>
        {user?.admin && (
          <>
            {' '}
            · <Link to={`/admin/exercises/${shown.id}`}>Edit</Link>
          </>
        )}
      </p>
      <Card title="Statement">
        <Statement text={shown.body} />
      </Card>
      <Examples exercise={shown} />
      <Workbench key={shown.id} exercise={shown} />
      {status === 'signed-in' && (
        <Card title="Previous attempts">
          <PreviousAttempts exerciseId={shown.id} />
        </Card>
      )}
    </>
  );
}
