import { EditorView } from '@codemirror/view';
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiRequestError } from '../../api/client';
import { ExerciseForm, type ExerciseFormProps } from './ExerciseForm';
import { type ExerciseBody, emptyDraft } from './exerciseDraft';

function renderForm(props: Partial<ExerciseFormProps> = {}) {
  const saved: ExerciseBody[] = [];
  const all: ExerciseFormProps = {
    initial: emptyDraft(),
    submitLabel: 'Add exercise',
    saving: false,
    error: null,
    onSave: (body) => saved.push(body),
    ...props,
  };
  const view = render(<ExerciseForm {...all} />);
  return { saved, rerender: (next: Partial<ExerciseFormProps>) => view.rerender(<ExerciseForm {...all} {...next} />) };
}

/** Types into a CodeMirror editor as a paste would (jsdom has no layout for real key presses). */
function setCode(label: string, code: string) {
  const view = EditorView.findFromDOM(screen.getByRole('textbox', { name: label }));
  if (!view) throw new Error(`no editor labelled ${label}`);
  act(() => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } }));
}

/** The message linked to a control by aria-describedby (its error, after any hint). */
function describedText(element: HTMLElement): string {
  return (element.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');
}

async function fillValidExercise(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText('Title'), 'Add two numbers');
  await user.type(screen.getByLabelText('Statement'), 'Return a + b.');
  await user.selectOptions(screen.getByLabelText('Difficulty'), 'easy');
  await user.type(screen.getByLabelText('Entrypoint'), 'add');
  // userEvent treats [ and { as key descriptors: `[[` types one [
  await user.type(screen.getByLabelText('Example 1: arguments'), '[[1, 2]');
  await user.type(screen.getByLabelText('Example 1: expected result'), '3');
  await user.type(screen.getByLabelText('Hidden test 1: arguments'), '[[-7, -8]');
  await user.type(screen.getByLabelText('Hidden test 1: expected result'), '-15');
  setCode('Reference solution', 'function add(a, b) {\n  return a + b;\n}\n');
}

// Typing a whole exercise key by key takes seconds on a loaded CI machine.
describe('the exercise form', { timeout: 20_000 }, () => {
  it('sends nothing while fields are missing and says what each one needs', async () => {
    const user = userEvent.setup({ delay: null });
    const { saved } = renderForm();
    expect(screen.queryByText(/is required/)).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Add exercise' }));
    expect(saved).toEqual([]);
    expect(screen.getByLabelText('Title')).toHaveAttribute('aria-invalid', 'true');
    expect(describedText(screen.getByLabelText('Title'))).toBe('Title is required.');
    expect(screen.getByText('Statement is required.')).toBeVisible();
    expect(screen.getByText('Entrypoint is required.')).toBeVisible();
    expect(describedText(screen.getByLabelText('Example 1: arguments'))).toMatch(/^Arguments are required/);
    expect(describedText(screen.getByLabelText('Hidden test 1: expected result'))).toMatch(/^The expected result is required/);
    const solution = screen.getByRole('textbox', { name: 'Reference solution' });
    expect(solution).toHaveAttribute('aria-invalid', 'true');
    expect(describedText(solution)).toContain('Reference solution is required.');
    expect(screen.getByRole('alert')).toHaveTextContent('8 fields need fixing before the exercise can be saved.');
  });

  it('checks each field as it is typed: JSON arguments and results, the entrypoint, and lengths', async () => {
    const user = userEvent.setup({ delay: null });
    renderForm();
    const args = screen.getByLabelText('Example 1: arguments');
    await user.type(args, '[[1, 2');
    expect(describedText(args)).toMatch(/^Arguments are not valid JSON/);
    await user.type(args, ']');
    expect(args).not.toHaveAttribute('aria-invalid');
    await user.clear(args);
    await user.type(args, '{{"a": 1}');
    expect(describedText(args)).toBe('Arguments must be a JSON array, such as [1, 2].');
    await user.clear(args);
    await user.type(args, `[[${Array.from({ length: 21 }, (_, i) => i).join(', ')}]`);
    expect(describedText(args)).toBe('At most 20 arguments.');

    const expected = screen.getByLabelText('Example 1: expected result');
    await user.type(expected, "'single quotes'");
    expect(describedText(expected)).toMatch(/^The expected result is not valid JSON/);
    await user.clear(expected);
    await user.type(expected, 'null');
    expect(expected).not.toHaveAttribute('aria-invalid');

    const entrypoint = screen.getByLabelText('Entrypoint');
    await user.type(entrypoint, '2add');
    expect(describedText(entrypoint)).toContain('Entrypoint must be a function name');
    await user.clear(entrypoint);
    await user.type(entrypoint, '_add2');
    expect(entrypoint).not.toHaveAttribute('aria-invalid');

    const title = screen.getByLabelText('Title');
    await user.click(title);
    await user.paste('x'.repeat(201));
    expect(describedText(title)).toBe('Title must be at most 200 characters.');
  });

  it('adds and removes test rows within the API limits', async () => {
    const user = userEvent.setup({ delay: null });
    renderForm();
    expect(screen.getByRole('button', { name: 'Remove example 1' })).toBeDisabled();
    for (let i = 0; i < 9; i++) await user.click(screen.getByRole('button', { name: 'Add an example' }));
    expect(screen.getByLabelText('Example 10: arguments')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Add an example' })).toBeDisabled();
    await user.type(screen.getByLabelText('Example 10: arguments'), '[[10]');
    await user.click(screen.getByRole('button', { name: 'Remove example 3' }));
    // the rows after it move up, keeping what was typed
    expect(screen.getByLabelText('Example 9: arguments')).toHaveValue('[10]');
    expect(screen.queryByLabelText('Example 10: arguments')).toBeNull();
    expect(screen.getByRole('button', { name: 'Add an example' })).toBeEnabled();
  });

  it('sends the parsed exercise once every field is valid', async () => {
    const user = userEvent.setup({ delay: null });
    const { saved } = renderForm();
    await fillValidExercise(user);
    await user.click(screen.getByRole('button', { name: 'Add exercise' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(saved).toEqual([
      {
        title: 'Add two numbers',
        body: 'Return a + b.',
        language: 'javascript',
        difficulty: 'easy',
        entrypoint: 'add',
        starter_code: '',
        examples: [{ args: [1, 2], expected: 3 }],
        tests: [{ args: [-7, -8], expected: -15 }],
        solution: 'function add(a, b) {\n  return a + b;\n}\n',
      },
    ]);
  });

  it("shows the API's answer when the reference solution fails: its message, and each failing test's error next to that test", async () => {
    const user = userEvent.setup({ delay: null });
    const { rerender } = renderForm();
    await fillValidExercise(user);
    await user.click(screen.getByRole('button', { name: 'Add a hidden test' }));
    await user.type(screen.getByLabelText('Hidden test 2: arguments'), '[[0, 0]');
    await user.type(screen.getByLabelText('Hidden test 2: expected result'), '0');
    const failure = new ApiRequestError(400, {
      statusCode: 400,
      error: 'Bad Request',
      message: "The reference solution does not pass the exercise's own tests: it fails 1 of 3 tests (test 2)",
      errors: { solution: 'fails 1 of 3 tests (test 2)', 'tests.0': 'failed: expected -15, got 0', title: 'is already used' },
    });
    rerender({ error: failure });
    expect(screen.getByRole('alert')).toHaveTextContent("The reference solution does not pass the exercise's own tests");
    const failing = screen.getByLabelText('Hidden test 1: arguments').closest('li') as HTMLElement;
    expect(within(failing).getByText('Reference solution: failed: expected -15, got 0')).toBeVisible();
    const passing = screen.getByLabelText('Hidden test 2: arguments').closest('li') as HTMLElement;
    expect(within(passing).queryByText(/Reference solution/)).toBeNull();
    expect(describedText(screen.getByRole('textbox', { name: 'Reference solution' }))).toContain('fails 1 of 3 tests (test 2)');
    expect(describedText(screen.getByLabelText('Title'))).toBe('is already used');

    // editing the title retires the API's message about it; the test results stay until the next save
    await user.type(screen.getByLabelText('Title'), ' again');
    expect(screen.getByLabelText('Title')).not.toHaveAttribute('aria-invalid');
    expect(within(failing).getByText('Reference solution: failed: expected -15, got 0')).toBeVisible();
    // removing a row renumbers the rest, so the per-test messages go
    await user.click(screen.getByRole('button', { name: 'Remove hidden test 2' }));
    expect(screen.queryByText(/^Reference solution: failed/)).toBeNull();
  });

  it('starts from an existing exercise and says so while saving', () => {
    const { rerender } = renderForm({
      submitLabel: 'Save changes',
      initial: {
        ...emptyDraft(),
        title: 'Double it',
        language: 'python',
        difficulty: 'hard',
        examples: [{ key: 1, args: '[2]', expected: '4' }],
      },
    });
    expect(screen.getByLabelText('Title')).toHaveValue('Double it');
    expect(screen.getByLabelText('Language')).toHaveValue('python');
    expect(screen.getByLabelText('Difficulty')).toHaveValue('hard');
    expect(screen.getByLabelText('Example 1: arguments')).toHaveValue('[2]');
    expect(screen.getByRole('textbox', { name: 'Starter code' }).closest('[data-language]')).toHaveAttribute('data-language', 'python');
    rerender({ saving: true });
    expect(screen.getByRole('button', { name: 'Checking the solution…' })).toBeDisabled();
  });
});
