import type { components } from '@codeyard/api-client';
import { type Column, DataTable } from '../../ui';
import styles from './exercises.module.css';

type TestResult = components['schemas']['TestResult'];

/** What a run (eval) and a graded submission have in common. */
export interface RunOutcome {
  status: string;
  passed: number;
  total: number;
  results: TestResult[];
  stdout: string;
  message?: string;
}

/** What a status means, in the words a learner needs. */
export function statusSummary(outcome: Pick<RunOutcome, 'status' | 'passed' | 'total'>): string {
  switch (outcome.status) {
    case 'passed':
      return `All ${outcome.total} ${outcome.total === 1 ? 'test' : 'tests'} passed.`;
    case 'failed':
      return `${outcome.passed} of ${outcome.total} tests passed.`;
    case 'error':
      return 'Your code raised an error.';
    case 'timeout':
      return 'Time limit exceeded: your code ran too long and was stopped (an endless loop?).';
    case 'memory_limit':
      return 'Memory limit exceeded: your code used more memory than allowed.';
    case 'output_limit':
      return 'Output limit exceeded: your code printed more than allowed.';
    default:
      return outcome.status;
  }
}

const STATUS_LABEL: Record<string, string> = {
  passed: 'passed',
  failed: 'failed',
  error: 'error',
  timeout: 'time limit exceeded',
  memory_limit: 'memory limit exceeded',
  output_limit: 'output limit exceeded',
};

function show(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value);
}

const RESULT_COLUMNS: Column<TestResult>[] = [
  { header: 'Test', rowHeader: true, cell: (result) => result.name },
  {
    header: 'Result',
    cell: (result) => STATUS_LABEL[result.status] ?? result.status,
    className: (result) => (result.status === 'passed' ? styles.passed : styles.failed),
  },
  { header: 'Expected', cell: (result) => <code>{show(result.expected)}</code> },
  { header: 'Actual', cell: (result) => <code>{show(result.actual)}</code> },
  { header: 'Message', cell: (result) => result.message ?? '' },
];

/** The outcome of a run or a submission: a summary, one row per test, and what the program printed. */
export function Results({ outcome, title }: { outcome: RunOutcome; title: string }) {
  const passed = outcome.status === 'passed';
  return (
    <section className={styles.results} aria-label={title}>
      <h3>{title}</h3>
      <p role="status" className={passed ? styles.passed : styles.failed}>
        {statusSummary(outcome)}
      </p>
      {outcome.message && <p>{outcome.message}</p>}
      {outcome.results.length > 0 && (
        // names may repeat (the sandbox numbers tests it was not told a name for); results never reorder
        <DataTable columns={RESULT_COLUMNS} rows={outcome.results} rowKey={(_, index) => index} scrollLabel="Test results" className={styles.table} />
      )}
      {outcome.stdout && (
        <>
          <h4>Output</h4>
          <pre className={styles.stdout}>{outcome.stdout}</pre>
        </>
      )}
    </section>
  );
}
