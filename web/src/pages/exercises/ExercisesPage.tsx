import { Link, useSearchParams } from 'react-router';
import { useSession } from '../../app/useSession';
import { Alert, Empty, Loading, PageTitle, SelectField, styles } from '../../ui';
import page from './exercises.module.css';
import { DIFFICULTIES, difficultyLabel, LANGUAGES, languageLabel, useAllExercises, useMyScores } from './useExercises';

function progressOf(score: { correct: boolean; attempts: number } | undefined): { text: string; solved: boolean } | undefined {
  if (!score) return undefined;
  if (score.correct) return { text: 'Solved', solved: true };
  return { text: `Tried ${score.attempts} ${score.attempts === 1 ? 'time' : 'times'}`, solved: false };
}

const LANGUAGE_FILTER = [{ value: '', label: 'All languages' }, ...LANGUAGES.map((entry) => ({ value: entry.language, label: entry.label }))];
const DIFFICULTY_FILTER = [{ value: '', label: 'Any difficulty' }, ...DIFFICULTIES];

export function ExercisesPage() {
  const { status, user } = useSession();
  const [params, setParams] = useSearchParams();
  const language = LANGUAGES.find((entry) => entry.language === params.get('language'))?.language ?? '';
  const difficulty = DIFFICULTIES.find((entry) => entry.value === params.get('difficulty'))?.value ?? '';
  const exercises = useAllExercises();
  const scores = useMyScores(status === 'signed-in');
  const byExercise = new Map((scores.data ?? []).map((score) => [score.exercise_id, score]));
  const shown = (exercises.data ?? []).filter(
    (exercise) => (!language || exercise.language === language) && (!difficulty || exercise.difficulty === difficulty),
  );
  const filter = (name: 'language' | 'difficulty', value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  return (
    <>
      <PageTitle>Exercises</PageTitle>
      <p>Solve them in the browser: run your code against the examples, then submit it to be graded against hidden tests.</p>
      {user?.admin && (
        <p>
          <Link to="/admin/exercises">Manage exercises</Link>
        </p>
      )}
      <div className={page.filters}>
        <SelectField label="Language" value={language} options={LANGUAGE_FILTER} onChange={(event) => filter('language', event.target.value)} />
        <SelectField
          label="Difficulty"
          value={difficulty}
          options={DIFFICULTY_FILTER}
          onChange={(event) => filter('difficulty', event.target.value)}
        />
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
        <Empty>{language || difficulty ? 'No exercises match these filters yet.' : 'No exercises yet.'}</Empty>
      ) : (
        <ul className={styles.list} aria-label="Exercises">
          {shown.map((exercise) => {
            const progress = progressOf(byExercise.get(exercise.id));
            return (
              <li key={exercise.id} className={page.item}>
                <Link to={`/exercises/${exercise.id}`}>{exercise.title}</Link>
                <span className={page.tags}>
                  <span className={page.tag}>{languageLabel(exercise.language)}</span>
                  <span className={page.tag}>{difficultyLabel(exercise.difficulty)}</span>
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
