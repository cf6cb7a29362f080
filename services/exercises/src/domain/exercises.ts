import type { exercises as contracts } from '@codeyard/contracts';
import { type Actor, badRequest, conflict, isAdmin, isUniqueViolation, notFound, requireAdmin } from '@codeyard/service-kit';
import type { ExerciseFields, ExerciseFilter, ExerciseRecord, ExercisesRepo } from '../db/exercises-repo.js';
import type { Grader, GradingResult } from './grader.js';

/** The exercise of the contract; hidden tests and the reference solution only for admins. */
export function presentExercise(exercise: ExerciseRecord, viewer: Actor | null): contracts.Exercise {
  return {
    id: exercise.id,
    title: exercise.title,
    body: exercise.body,
    language: exercise.language,
    difficulty: exercise.difficulty,
    entrypoint: exercise.entrypoint,
    starter_code: exercise.starterCode,
    examples: exercise.examples,
    ...(isAdmin(viewer) && { tests: exercise.tests, solution: exercise.solution }),
    created_at: exercise.createdAt,
  };
}

const show = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));

/** Why one test failed, in a sentence: the sandbox's message, or expected vs actual. */
export function describeFailure(result: GradingResult['results'][number]): string {
  if (result.status === 'failed' && !result.message) return `expected ${show(result.expected)}, got ${show(result.actual)}`;
  return result.message ?? result.status;
}

/**
 * A reference solution that fails its own tests becomes a 400 whose `errors` point at each
 * failing test (`examples.0`, `tests.2`, …) and sum it up under `solution`.
 */
function solutionFailure(fields: ExerciseFields, result: GradingResult) {
  const errors: Record<string, string> = {};
  const failing: string[] = [];
  result.results.forEach((test, index) => {
    if (test.status === 'passed') return;
    const field = index < fields.examples.length ? `examples.${index}` : `tests.${index - fields.examples.length}`;
    errors[field] = `${test.status}: ${describeFailure(test)}`.slice(0, 500);
    failing.push(test.name);
  });
  const summary =
    failing.length > 0
      ? `fails ${failing.length} of ${result.total} tests (${failing.slice(0, 5).join(', ')}${failing.length > 5 ? ', …' : ''})`
      : `does not run: ${result.status}`;
  return badRequest(`The reference solution does not pass the exercise's own tests: it ${summary}`, {
    solution: summary,
    ...errors,
  });
}

const toFields = (input: contracts.ExerciseBody): ExerciseFields => ({
  title: input.title,
  body: input.body,
  language: input.language,
  difficulty: input.difficulty,
  entrypoint: input.entrypoint,
  starterCode: input.starter_code,
  examples: input.examples,
  tests: input.tests,
  solution: input.solution,
});

export function createExercises(deps: { exercises: ExercisesRepo; grader: Grader }) {
  const { exercises, grader } = deps;

  async function requireExercise(id: number): Promise<ExerciseRecord> {
    const exercise = await exercises.findById(id);
    if (!exercise) throw notFound(`Exercise ${id} does not exist`);
    return exercise;
  }

  async function assertTitleAvailable(title: string, exceptId?: number) {
    const owner = await exercises.findByTitle(title);
    if (owner && owner.id !== exceptId) {
      throw conflict(`An exercise titled "${owner.title}" exists already (exercise ${owner.id})`, { title: 'is already used' });
    }
  }

  /** The reference solution must pass the examples and the hidden tests. */
  async function assertSolutionPasses(fields: ExerciseFields, requestId: string) {
    const result = await grader.grade(
      { language: fields.language, code: fields.solution, entrypoint: fields.entrypoint, tests: [...fields.examples, ...fields.tests] },
      requestId,
      'solution',
    );
    if (result.status !== 'passed' || result.passed !== result.total) throw solutionFailure(fields, result);
  }

  async function uniquely<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('An exercise with this title exists already', { title: 'is already used' });
      throw error;
    }
  }

  return {
    requireExercise,

    list: (filter: ExerciseFilter) => exercises.list(filter),

    async create(actor: Actor | null, input: contracts.ExerciseBody, requestId: string): Promise<ExerciseRecord> {
      requireAdmin(actor);
      const fields = toFields(input);
      await assertTitleAvailable(fields.title);
      await assertSolutionPasses(fields, requestId);
      return uniquely(() => exercises.insert(fields));
    },

    async replace(actor: Actor | null, id: number, input: contracts.ExerciseBody, requestId: string): Promise<ExerciseRecord> {
      requireAdmin(actor);
      await requireExercise(id);
      const fields = toFields(input);
      await assertTitleAvailable(fields.title, id);
      await assertSolutionPasses(fields, requestId);
      const updated = await uniquely(() => exercises.update(id, fields));
      if (!updated) throw notFound(`Exercise ${id} does not exist`);
      return updated;
    },

    async remove(actor: Actor | null, id: number): Promise<void> {
      requireAdmin(actor);
      if (!(await exercises.delete(id))) throw notFound(`Exercise ${id} does not exist`);
    },
  };
}

export type Exercises = ReturnType<typeof createExercises>;
