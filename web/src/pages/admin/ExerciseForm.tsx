import { type FormEvent, useId, useState } from 'react';
import { ApiRequestError } from '../../api/client';
import { Alert, Button, SelectField, TextArea, TextField, styles } from '../../ui';
import { CodeEditor } from '../exercises/CodeEditor';
import { DIFFICULTIES, LANGUAGES } from '../exercises/useExercises';
import page from './admin.module.css';
import {
  bodyOf,
  type CaseList,
  caseName,
  draftProblems,
  type ExerciseBody,
  type ExerciseDraft,
  emptyCase,
  LIMITS,
  type TestCaseDraft,
} from './exerciseDraft';

export interface ExerciseFormProps {
  initial: ExerciseDraft;
  submitLabel: string;
  saving: boolean;
  /** The last save's error: its message on top, its per-field `errors` next to the fields. */
  error: Error | null;
  onSave: (body: ExerciseBody) => void;
}

interface Messages {
  /** What to show for a field key: the admin's own problem once touched, else the API's answer. */
  of(key: string): string | undefined;
}

const LANGUAGE_OPTIONS = LANGUAGES.map((entry) => ({ value: entry.language, label: entry.label }));

interface CasesProps {
  list: CaseList;
  legend: string;
  hint: string;
  rows: TestCaseDraft[];
  max: number;
  messages: Messages;
  onChange: (rows: TestCaseDraft[], touchedKey?: string) => void;
}

/** The examples or the hidden tests: one row of JSON arguments and expected result per call. */
function TestCases({ list, legend, hint, rows, max, messages, onChange }: CasesProps) {
  const listProblem = messages.of(list);
  const update = (index: number, field: 'args' | 'expected', value: string) =>
    onChange(
      rows.map((row, at) => (at === index ? { ...row, [field]: value } : row)),
      `${list}.${index}.${field}`,
    );
  return (
    <fieldset className={page.cases}>
      <legend>{legend}</legend>
      <p className={styles.hint}>{hint}</p>
      <ol className={page.caseList}>
        {rows.map((row, index) => {
          const name = caseName(list, index);
          const failure = messages.of(`${list}.${index}`);
          return (
            <li key={row.key} className={failure ? page.failingCase : page.case}>
              <div className={page.caseFields}>
                <TextField
                  label={`${name}: arguments`}
                  className={page.mono}
                  value={row.args}
                  placeholder="[1, 2]"
                  spellCheck={false}
                  autoComplete="off"
                  error={messages.of(`${list}.${index}.args`)}
                  onChange={(event) => update(index, 'args', event.target.value)}
                />
                <TextField
                  label={`${name}: expected result`}
                  className={page.mono}
                  value={row.expected}
                  placeholder="3"
                  spellCheck={false}
                  autoComplete="off"
                  error={messages.of(`${list}.${index}.expected`)}
                  onChange={(event) => update(index, 'expected', event.target.value)}
                />
              </div>
              {failure && <p className={styles.fieldError}>Reference solution: {failure}</p>}
              <Button
                variant="secondary"
                aria-label={`Remove ${name.toLowerCase()}`}
                disabled={rows.length === 1}
                // the rows after it move up: the API's messages about them by number no longer fit
                onClick={() => onChange(
                  rows.filter((_, at) => at !== index),
                  `${list}.*`,
                )}
              >
                Remove
              </Button>
            </li>
          );
        })}
      </ol>
      {listProblem && <p className={styles.fieldError}>{listProblem}</p>}
      <Button variant="secondary" disabled={rows.length >= max} onClick={() => onChange([...rows, emptyCase()])}>
        Add {list === 'examples' ? 'an example' : 'a hidden test'}
      </Button>
    </fieldset>
  );
}

/** A code field: the label above a CodeMirror editor in the exercise's language, and its error. */
function CodeField(props: {
  label: string;
  hint: string;
  language: ExerciseDraft['language'];
  initialCode: string;
  error: string | undefined;
  onChange: (code: string) => void;
}) {
  const id = useId();
  return (
    <div className={styles.field}>
      <span className={page.codeLabel} id={`${id}-label`}>
        {props.label}
      </span>
      <span id={`${id}-hint`} className={styles.hint}>
        {props.hint}
      </span>
      <CodeEditor
        language={props.language}
        initialCode={props.initialCode}
        onChange={props.onChange}
        label={props.label}
        describedBy={props.error ? `${id}-hint ${id}-error` : `${id}-hint`}
        invalid={Boolean(props.error)}
      />
      {props.error && (
        <span id={`${id}-error`} className={styles.fieldError}>
          {props.error}
        </span>
      )}
    </div>
  );
}

/** Which of the API's error keys a form field's edit makes stale. */
const displayedKeys = /^(title|body|language|difficulty|entrypoint|starter_code|solution|examples|tests)(\.\d+(\.(args|expected))?)?$/;

/** The admin's form for adding or editing an exercise: validated as it is typed, and checked again by the API on save. */
export function ExerciseForm({ initial, submitLabel, saving, error, onSave }: ExerciseFormProps) {
  const [draft, setDraft] = useState(initial);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  // Keys the admin has edited since `error` came; their server message no longer applies.
  const [edited, setEdited] = useState<{ since: Error | null; keys: Set<string> }>({ since: error, keys: new Set() });
  const problems = draftProblems(draft);
  const problemCount = Object.keys(problems).length;
  const serverErrors = error instanceof ApiRequestError ? error.fieldErrors : {};
  const staleKeys = edited.since === error ? edited.keys : new Set<string>();
  const messages: Messages = {
    of: (key) => {
      const own = (submitted || touched.has(key)) && problems[key];
      const stale = staleKeys.has(key) || staleKeys.has(`${key.split('.')[0]}.*`);
      return own || (stale ? undefined : serverErrors[key]);
    },
  };
  const unplaced = Object.entries(serverErrors).filter(([key]) => !displayedKeys.test(key));

  const change = <K extends keyof ExerciseDraft>(field: K, value: ExerciseDraft[K], touchedKey: string = field) => {
    setDraft((current) => ({ ...current, [field]: value }));
    setTouched((current) => new Set(current).add(touchedKey));
    setEdited((current) => ({ since: error, keys: new Set(current.since === error ? current.keys : []).add(touchedKey) }));
  };
  const text = (field: 'title' | 'body' | 'entrypoint') => ({
    value: draft[field],
    error: messages.of(field),
    onChange: (event: { target: { value: string } }) => change(field, event.target.value),
    onBlur: () => setTouched((current) => new Set(current).add(field)),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (problemCount === 0 && !saving) onSave(bodyOf(draft));
  };

  return (
    <form onSubmit={submit} noValidate className={page.exerciseForm}>
      {error && (
        <Alert>
          {error.message}
          {unplaced.length > 0 && (
            <ul>
              {unplaced.map(([key, message]) => (
                <li key={key}>
                  {key}: {message}
                </li>
              ))}
            </ul>
          )}
        </Alert>
      )}
      <TextField label="Title" autoComplete="off" {...text('title')} />
      <TextArea label="Statement" hint="Markdown: paragraphs, `inline code` and ``` fenced blocks." rows={8} {...text('body')} />
      <div className={page.pair}>
        <SelectField
          label="Language"
          options={LANGUAGE_OPTIONS}
          value={draft.language}
          error={messages.of('language')}
          onChange={(event) => change('language', event.target.value as ExerciseDraft['language'])}
        />
        <SelectField
          label="Difficulty"
          options={DIFFICULTIES}
          value={draft.difficulty}
          error={messages.of('difficulty')}
          onChange={(event) => change('difficulty', event.target.value as ExerciseDraft['difficulty'])}
        />
      </div>
      <TextField
        label="Entrypoint"
        hint="The function a solution defines; every test calls it with its arguments."
        autoComplete="off"
        spellCheck={false}
        className={page.mono}
        {...text('entrypoint')}
      />
      <CodeField
        label="Starter code"
        hint="What learners find in the editor (may be empty)."
        language={draft.language}
        initialCode={draft.starter_code}
        error={messages.of('starter_code')}
        onChange={(code) => change('starter_code', code)}
      />
      <TestCases
        list="examples"
        legend="Examples"
        hint="Shown to learners, and run by Run. Arguments are a JSON array; the expected result any JSON value."
        rows={draft.examples}
        max={LIMITS.examples}
        messages={messages}
        onChange={(rows, key) => change('examples', rows, key ?? 'examples')}
      />
      <TestCases
        list="tests"
        legend="Hidden tests"
        hint="Graded with the examples on Submit; learners never see their values."
        rows={draft.tests}
        max={LIMITS.tests}
        messages={messages}
        onChange={(rows, key) => change('tests', rows, key ?? 'tests')}
      />
      <CodeField
        label="Reference solution"
        hint="Must pass every example and hidden test: the API runs it before saving."
        language={draft.language}
        initialCode={draft.solution}
        error={messages.of('solution')}
        onChange={(code) => change('solution', code)}
      />
      {submitted && problemCount > 0 && (
        <Alert>
          {problemCount === 1 ? 'One field needs' : `${problemCount} fields need`} fixing before the exercise can be saved.
        </Alert>
      )}
      <Button type="submit" disabled={saving}>
        {saving ? 'Checking the solution…' : submitLabel}
      </Button>
    </form>
  );
}
