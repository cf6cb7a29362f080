import type { components } from '@codeyard/api-client';
import { Link } from 'react-router';
import { RequireAdmin } from '../../app/RequireAdmin';
import { Alert, type Column, DataTable, Empty, Loading, PageTitle } from '../../ui';
import { difficultyLabel, languageLabel, useAllExercises } from '../exercises/useExercises';
import { AdminNav } from './AdminNav';

type Exercise = components['schemas']['Exercise'];

const COLUMNS: Column<Exercise>[] = [
  { header: 'Title', rowHeader: true, cell: (exercise) => <Link to={`/exercises/${exercise.id}`}>{exercise.title}</Link> },
  { header: 'Language', cell: (exercise) => languageLabel(exercise.language) },
  { header: 'Difficulty', cell: (exercise) => difficultyLabel(exercise.difficulty) },
  { header: 'Tests', cell: (exercise) => `${exercise.examples.length} + ${exercise.tests?.length ?? 0} hidden` },
  {
    header: 'Action',
    cell: (exercise) => (
      <Link to={`/admin/exercises/${exercise.id}`} aria-label={`Edit ${exercise.title}`}>
        Edit
      </Link>
    ),
  },
];

function ExerciseTable() {
  const exercises = useAllExercises();
  if (exercises.isPending) return <Loading what="exercises" />;
  if (exercises.isError) return <Alert>Exercises could not be loaded: {exercises.error.message}</Alert>;
  if (exercises.data.length === 0) return <Empty>No exercises yet.</Empty>;
  return <DataTable columns={COLUMNS} rows={exercises.data} rowKey={(exercise) => exercise.id} scrollLabel="Exercises" />;
}

export function AdminExercisesPage() {
  return (
    <>
      <PageTitle>Manage exercises</PageTitle>
      <RequireAdmin>
        <AdminNav />
        <p>
          <Link to="/admin/exercises/new">Add an exercise</Link>
        </p>
        <ExerciseTable />
      </RequireAdmin>
    </>
  );
}
