// An exercise as the admin form edits it: test cases as JSON text the admin types. The rules are
// the API's (packages/contracts exercises.ts), checked as the admin types; the API checks them
// again, runs the reference solution, and its own messages are shown next to the same fields.
import type { components, paths } from '@codeyard/api-client';

type Exercise = components['schemas']['Exercise'];
export type ExerciseBody = paths['/api/v1/exercises']['post']['requestBody']['content']['application/json'];
export type Language = Exercise['language'];
type Difficulty = Exercise['difficulty'];

/** One test case: `args` a JSON array, `expected` any JSON value, both as typed. */
export interface TestCaseDraft {
  /** Stable across removals of other rows (React's key). */
  key: number;
  args: string;
  expected: string;
}

export interface ExerciseDraft {
  title: string;
  body: string;
  language: Language;
  difficulty: Difficulty;
  entrypoint: string;
  starter_code: string;
  examples: TestCaseDraft[];
  tests: TestCaseDraft[];
  solution: string;
}

export type CaseList = 'examples' | 'tests';

export const LIMITS = {
  title: 200,
  body: 20_000,
  starter_code: 20_000,
  solution: 50_000,
  examples: 10,
  tests: 50,
  args: 20,
} as const;

let nextKey = 1;

export function emptyCase(): TestCaseDraft {
  return { key: nextKey++, args: '', expected: '' };
}

export function emptyDraft(): ExerciseDraft {
  return {
    title: '',
    body: '',
    language: 'javascript',
    difficulty: 'medium',
    entrypoint: '',
    starter_code: '',
    examples: [emptyCase()],
    tests: [emptyCase()],
    solution: '',
  };
}

/** The form's starting point for an existing exercise (as an admin reads it: with tests and solution). */
export function draftOf(exercise: Exercise): ExerciseDraft {
  const cases = (list: { args: unknown[]; expected?: unknown }[] | undefined) =>
    (list ?? []).map((test) => ({ key: nextKey++, args: JSON.stringify(test.args), expected: JSON.stringify(test.expected) }));
  return {
    title: exercise.title,
    body: exercise.body,
    language: exercise.language,
    difficulty: exercise.difficulty,
    entrypoint: exercise.entrypoint,
    starter_code: exercise.starter_code,
    examples: cases(exercise.examples),
    tests: cases(exercise.tests),
    solution: exercise.solution ?? '',
  };
}

type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

function argsProblem(text: string): string | undefined {
  if (!text.trim()) return 'Arguments are required: a JSON array such as [1, 2] ([] for none).';
  const parsed = parseJson(text);
  if (!parsed.ok) return `Arguments are not valid JSON: ${parsed.reason}`;
  if (!Array.isArray(parsed.value)) return 'Arguments must be a JSON array, such as [1, 2].';
  if (parsed.value.length > LIMITS.args) return `At most ${LIMITS.args} arguments.`;
  return undefined;
}

function expectedProblem(text: string): string | undefined {
  if (!text.trim()) return 'The expected result is required: a JSON value such as 3, "text", [1, 2] or null.';
  const parsed = parseJson(text);
  return parsed.ok ? undefined : `The expected result is not valid JSON: ${parsed.reason}`;
}

const NAMES: Record<CaseList, { one: string; many: string; max: number; atLeast: string }> = {
  examples: { one: 'example', many: 'examples', max: LIMITS.examples, atLeast: 'Give at least one example.' },
  tests: { one: 'hidden test', many: 'hidden tests', max: LIMITS.tests, atLeast: 'Give at least one hidden test.' },
};

/** How a row is called on the page: "Example 2", "Hidden test 3". */
export function caseName(list: CaseList, index: number): string {
  const one = NAMES[list].one;
  return `${one[0]?.toUpperCase()}${one.slice(1)} ${index + 1}`;
}

function lengthProblem(text: string, what: string, max: number, required: boolean): string | undefined {
  if (required && !text.trim()) return `${what} is required.`;
  if (text.length > max) return `${what} must be at most ${max.toLocaleString('en-GB')} characters.`;
  return undefined;
}

/**
 * Every problem of the draft, keyed like the API's `errors`: `title`, `examples`,
 * `examples.0.args`, `tests.2.expected`, … An empty object means the draft can be sent.
 */
export function draftProblems(draft: ExerciseDraft): Record<string, string> {
  const problems: Record<string, string | undefined> = {
    title: lengthProblem(draft.title, 'Title', LIMITS.title, true),
    body: lengthProblem(draft.body, 'Statement', LIMITS.body, true),
    entrypoint: !draft.entrypoint
      ? 'Entrypoint is required.'
      : /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(draft.entrypoint)
        ? undefined
        : 'Entrypoint must be a function name: a letter or _, then letters, digits or _ (at most 64).',
    starter_code: lengthProblem(draft.starter_code, 'Starter code', LIMITS.starter_code, false),
    solution: lengthProblem(draft.solution, 'Reference solution', LIMITS.solution, true),
  };
  for (const list of ['examples', 'tests'] as const) {
    const rows = draft[list];
    const names = NAMES[list];
    if (rows.length === 0) problems[list] = names.atLeast;
    else if (rows.length > names.max) problems[list] = `At most ${names.max} ${names.many}.`;
    rows.forEach((row, index) => {
      problems[`${list}.${index}.args`] = argsProblem(row.args);
      problems[`${list}.${index}.expected`] = expectedProblem(row.expected);
    });
  }
  return Object.fromEntries(Object.entries(problems).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The API body of a draft without problems. */
export function bodyOf(draft: ExerciseDraft): ExerciseBody {
  const cases = (rows: TestCaseDraft[]) => rows.map((row) => ({ args: JSON.parse(row.args) as unknown[], expected: JSON.parse(row.expected) }));
  return {
    title: draft.title.trim(),
    body: draft.body,
    language: draft.language,
    difficulty: draft.difficulty,
    entrypoint: draft.entrypoint,
    starter_code: draft.starter_code,
    examples: cases(draft.examples),
    tests: cases(draft.tests),
    solution: draft.solution,
  };
}
