import { Link, useSearchParams } from 'react-router';
import { useSession } from '../../app/useSession';
import { Alert, Empty, Loading, PageTitle, styles } from '../../ui';
import page from './exercises.module.css';
import { LANGUAGES, languageLabel, useAllExercises, useMyScores } from './useExercises';

function progressOf(score: { correct: boolean; attempts: number } | undefined): { text: string; solved: boolean } | undefined {
  if (!score) return undefined;
  if (score.correct) return { text: 'Solved', solved: true };
  return { text: `Tried ${score.attempts} ${score.attempts === 1 ? 'time' : 'times'}`, solved: false };
}

export function ExercisesPage() {
  const { status } = useSession();
  const [params, setParams] = useSearchParams();
  const language = LANGUAGES.find((entry) => entry.language === params.get('language'))?.language ?? '';
  const exercises = useAllExercises();
  const scores = useMyScores(status === 'signed-in');
  const byExercise = new Map((scores.data ?? []).map((score) => [score.exercise_id, score]));
  const shown = (exercises.data ?? []).filter((exercise) => !language || exercise.language === language);
  return (
    <>
      <PageTitle>Exercises</PageTitle>
      <p>Solve them in the browser: run your code against the examples, then submit it to be graded against hidden tests.</p>
      <div className={page.filters}>
        <div>
          <label htmlFor="exercise-language">Language</label>
          <select
            id="exercise-language"
            value={language}
            onChange={(event) => setParams(event.target.value ? { language: event.target.value } : {}, { replace: true })}
          >
            <option value="">All languages</option>
            {LANGUAGES.map((entry) => (
              <option key={entry.language} value={entry.language}>
                {entry.label}
              </option>
            ))}
          </select>
        </div>
        {status === 'signed-in' && scores.data && (
          <p className={styles.muted}>
            You have solved {scores.data.filter((score) => score.correct).length} of {exercises.data?.length ?? '…'}.
          </p>
        )}
      </div>
      {exercises.isPending ? (
        <Loading what="exercises" />
      ) : exercises.isError ? (
        <Alert>Exercises could not be loaded: {exercises.error.message}</Alert>
      ) : shown.length === 0 ? (
        <Empty>{language ? `No ${languageLabel(language)} exercises yet.` : 'No exercises yet.'}</Empty>
      ) : (
        <ul className={styles.list} aria-label="Exercises">
          {shown.map((exercise) => {
            const progress = progressOf(byExercise.get(exercise.id));
            return (
              <li key={exercise.id} className={page.item}>
                <Link to={`/exercises/${exercise.id}`}>{exercise.title}</Link>
                <span className={page.tags}>
                  <span className={page.tag}>{languageLabel(exercise.language)}</span>
                  {progress && <span className={[page.tag, progress.solved ? page.solved : ''].join(' ')}>{progress.text}</span>}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {scores.isError && <Alert>Your progress could not be loaded: {scores.error.message}</Alert>}
    </>
  );
}
