// Adding and editing an exercise. Loaded only when an admin opens one of these pages, with
// CodeMirror, so that neither is part of the first load of `/`.
import type { components } from '@codeyard/api-client';
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiRequestError, api, must } from '../../api/client';
import { RequireAdmin } from '../../app/RequireAdmin';
import { Alert, Button, Card, Empty, Loading, PageTitle } from '../../ui';
import { NotFoundPage } from '../errors/NotFoundPage';
import page from './admin.module.css';
import { AdminNav } from './AdminNav';
import { ExerciseForm } from './ExerciseForm';
import { draftOf, emptyDraft, type ExerciseBody } from './exerciseDraft';

type Exercise = components['schemas']['Exercise'];

/**
 * Changes the cached list of every exercise at once, so the page navigated to next shows the
 * change rather than the list from before it. Everything about exercises is fetched again when
 * next shown — not now: this page's own query would ask for a deleted exercise (a 404).
 */
function changeListedExercises(queryClient: QueryClient, change: (list: Exercise[]) => Exercise[]) {
  queryClient.setQueryData<Exercise[]>(['exercises', 'all'], (list) => list && change(list));
  void queryClient.invalidateQueries({ queryKey: ['exercises'], refetchType: 'none' });
}

function AddExercise() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [initial] = useState(emptyDraft);
  const create = useMutation({
    mutationFn: async (body: ExerciseBody) => must(await api.POST('/api/v1/exercises', { body })),
    onSuccess: (exercise) => {
      changeListedExercises(queryClient, (list) => [...list, exercise]);
      navigate('/admin/exercises', { state: { flash: `Exercise “${exercise.title}” added.` } });
    },
  });
  return (
    <ExerciseForm initial={initial} submitLabel="Add exercise" saving={create.isPending} error={create.error} onSave={(body) => create.mutate(body)} />
  );
}

/** Deleting asks first; the exercise's submissions go with it. */
function DeleteExercise({ id, title }: { id: number; title: string }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [asking, setAsking] = useState(false);
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) keep.current?.focus();
  }, [asking]);
  const remove = useMutation({
    mutationFn: async () => must(await api.DELETE('/api/v1/exercises/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      changeListedExercises(queryClient, (list) => list.filter((exercise) => exercise.id !== id));
      navigate('/admin/exercises', { state: { flash: `Exercise “${title}” deleted.` } });
    },
  });
  if (!asking)
    return (
      <Button variant="danger" onClick={() => setAsking(true)}>
        Delete exercise
      </Button>
    );
  return (
    <section className={page.danger} aria-label="Confirm deletion">
      <p>
        Delete “{title}” and every submission to it? Learners’ scores stay. This cannot be undone.
      </p>
      {remove.isError && <Alert>{remove.error.message}</Alert>}
      <div className={page.actions}>
        <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
          {remove.isPending ? 'Deleting…' : 'Yes, delete it'}
        </Button>
        <Button ref={keep} variant="secondary" disabled={remove.isPending} onClick={() => setAsking(false)}>
          Keep it
        </Button>
      </div>
    </section>
  );
}

function EditExercise({ id }: { id: number }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  // Its own key: an admin's copy holds the hidden tests and the solution.
  const exercise = useQuery({
    queryKey: ['exercises', id, 'admin'],
    queryFn: async () => must(await api.GET('/api/v1/exercises/{id}', { params: { path: { id } } })),
  });
  const save = useMutation({
    mutationFn: async (body: ExerciseBody) => must(await api.PUT('/api/v1/exercises/{id}', { params: { path: { id } }, body })),
    onSuccess: (saved) => {
      changeListedExercises(queryClient, (list) => list.map((exercise) => (exercise.id === saved.id ? saved : exercise)));
      navigate('/admin/exercises', { state: { flash: `Exercise “${saved.title}” saved.` } });
    },
  });
  if (exercise.error instanceof ApiRequestError && exercise.error.status === 404) return <Empty>There is no exercise {id}.</Empty>;
  if (exercise.isPending) return <Loading what="the exercise" />;
  if (exercise.isError) return <Alert>The exercise could not be loaded: {exercise.error.message}</Alert>;
  return (
    <>
      <h2>{exercise.data.title}</h2>
      <ExerciseForm
        initial={draftOf(exercise.data)}
        submitLabel="Save changes"
        saving={save.isPending}
        error={save.error}
        onSave={(body) => save.mutate(body)}
      />
      <Card title="Delete">
        <DeleteExercise id={id} title={exercise.data.title} />
      </Card>
    </>
  );
}

export function NewExercisePage() {
  return (
    <>
      <PageTitle>Add an exercise</PageTitle>
      <RequireAdmin>
        <AdminNav />
        <AddExercise />
      </RequireAdmin>
    </>
  );
}

export function EditExercisePage() {
  const id = Number(useParams().id);
  if (!Number.isInteger(id) || id <= 0) return <NotFoundPage />;
  return (
    <>
      <PageTitle>Edit an exercise</PageTitle>
      <RequireAdmin>
        <AdminNav />
        <EditExercise key={id} id={id} />
      </RequireAdmin>
    </>
  );
}
