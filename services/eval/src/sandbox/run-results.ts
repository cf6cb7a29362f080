import { truncateText } from '@codeyard/service-kit';
import { mapGuestLocations } from './compile-javascript.js';
import { jsonValuesEqual } from './json-equality.js';
import type { GuestOutcome } from './protocol.js';
import type { RecordedTest, WorkerRunRecord } from './sandbox-worker.js';
import type { EvalResult, RunStatus, TestCase, TestResult } from './types.js';
import { decodeWire, jsonTextNestsAtMost, toReportableValue } from './value-wire.js';

/** Worse statuses win the overall status; among equals, the first test's. */
const SEVERITY: Record<RunStatus, number> = {
  passed: 0,
  failed: 1,
  error: 2,
  output_limit: 3,
  memory_limit: 4,
  timeout: 5,
};

/**
 * What a result may carry back: a result is stored per test per submission and read by other
 * services, so values, messages and output are cut to a few KiB, visibly.
 */
export const MAX_REPORTED_VALUE_BYTES = 4 * 1024;
export const MAX_REPORTED_MESSAGE_BYTES = 4 * 1024;
export const MAX_REPORTED_STDOUT_BYTES = 8 * 1024;
const MAX_RETURN_NESTING = 1_000;

export interface RunContext {
  tests: TestCase[];
  /** Only the output up to the end of this many tests is reported (see `stdout_tests`). */
  stdoutTests: number | undefined;
  timeMs: number;
  memoryMb: number;
  maxStdoutBytes: number;
  /** For JavaScript/TypeScript: maps locations in compiled code back to submitted lines. */
  originalLineOf: readonly number[] | undefined;
}

export function testName(test: TestCase, index: number): string {
  return test.name ?? `test ${index + 1}`;
}

function statusOf(outcome: GuestOutcome): Exclude<RunStatus, 'passed' | 'failed'> {
  switch (outcome.kind) {
    case 'timeout':
      return 'timeout';
    case 'memory_limit':
      return 'memory_limit';
    case 'output_limit':
      return 'output_limit';
    default:
      return 'error';
  }
}

function messageOf(outcome: Exclude<GuestOutcome, { kind: 'returned' }>, context: RunContext): string {
  switch (outcome.kind) {
    case 'timeout':
      return outcome.message ?? `the time limit of ${context.timeMs} ms was exceeded`;
    case 'memory_limit':
      return `the memory limit of ${context.memoryMb} MB was exceeded${outcome.message ? ` (${outcome.message})` : ''}`;
    case 'output_limit':
      return `the output limit of ${context.maxStdoutBytes} bytes was exceeded`;
    default:
      return context.originalLineOf ? mapGuestLocations(outcome.message, context.originalLineOf) : outcome.message;
  }
}

function judgeRecordedTest(test: TestCase, name: string, recorded: RecordedTest, context: RunContext): TestResult {
  const durationMs = roundDuration(recorded.durationMs);
  const { outcome } = recorded;
  if (outcome.kind !== 'returned') {
    return { name, status: statusOf(outcome), message: messageOf(outcome, context), duration_ms: durationMs };
  }
  // Decoding, comparing and reporting recurse: a value deeper than this never gets that far.
  if (!jsonTextNestsAtMost(outcome.valueWire, MAX_RETURN_NESTING)) {
    return {
      name,
      status: 'error',
      message: `the return value nests more than ${MAX_RETURN_NESTING} levels deep`,
      duration_ms: durationMs,
    };
  }
  let actual: unknown;
  try {
    actual = decodeWire(outcome.valueWire);
  } catch {
    return { name, status: 'error', message: 'the sandbox returned an unreadable value', duration_ms: durationMs };
  }
  if (jsonValuesEqual(test.expected, actual)) return { name, status: 'passed', duration_ms: durationMs };
  const failed: TestResult = { name, status: 'failed', expected: capValue(test.expected), duration_ms: durationMs };
  if (actual === undefined) failed.message = 'the function returned undefined (no value)';
  else failed.actual = capValue(toReportableValue(actual));
  return failed;
}

/** A value whose JSON is over the cap is reported as the start of that JSON text, marked as cut. */
function capValue(value: unknown): unknown {
  const json = JSON.stringify(value);
  if (json === undefined || Buffer.byteLength(json) <= MAX_REPORTED_VALUE_BYTES) return value;
  return truncateText(json, MAX_REPORTED_VALUE_BYTES);
}

/** The output a caller may see: up to the end of test `stdoutTests` when it asked for that. */
function reportedStdout(record: WorkerRunRecord, stdoutTests: number | undefined): string {
  const boundary = stdoutTests === undefined ? undefined : record.stdoutAfterTest[stdoutTests - 1];
  return boundary === undefined ? record.stdout : record.stdout.slice(0, boundary);
}

/** Why tests after the last recorded one have no outcome of their own. */
function outcomeForUnrecordedTests(record: WorkerRunRecord): GuestOutcome {
  const { ending } = record;
  switch (ending.kind) {
    case 'killed-timeout':
      return { kind: 'timeout' };
    case 'killed-memory':
      return { kind: 'memory_limit', message: 'the sandbox worker used too much memory and was stopped' };
    case 'crashed':
      return { kind: 'crashed', message: `the sandbox worker crashed (${ending.detail})` };
    case 'finished':
      return ending.loadFailure ?? record.tests.at(-1)?.outcome ?? { kind: 'error', message: 'the test did not run' };
  }
}

export function assembleEvalResult(record: WorkerRunRecord, context: RunContext, durationMs: number): EvalResult {
  const stdout = reportedStdout(record, context.stdoutTests);
  const pendingOutcome = outcomeForUnrecordedTests(record);
  const loadFailed = record.tests.length === 0 && (record.ending.kind !== 'finished' || record.ending.loadFailure);
  const runMessage = pendingOutcome.kind === 'returned' ? undefined : messageOf(pendingOutcome, context);
  const results = context.tests.map((test, index): TestResult => {
    const name = testName(test, index);
    const recorded = record.tests[index];
    if (recorded) return judgeRecordedTest(test, name, recorded, context);
    const isInterruptedTest = index === record.tests.length && record.ending.kind !== 'finished';
    const message = loadFailed || isInterruptedTest ? runMessage : `not run: ${runMessage ?? 'an earlier test stopped the run'}`;
    return {
      name,
      status: pendingOutcome.kind === 'returned' ? 'error' : statusOf(pendingOutcome),
      ...(message ? { message } : {}),
      duration_ms: isInterruptedTest ? roundDuration(record.unfinishedTestMs) : 0,
    };
  });
  return summarise(results, stdout, durationMs, loadFailed ? runMessage : crashOrKillMessage(record, runMessage));
}

function crashOrKillMessage(record: WorkerRunRecord, runMessage: string | undefined): string | undefined {
  return record.ending.kind === 'finished' ? undefined : runMessage;
}

/** A run that failed before any worker was involved (compile error, unserialisable arguments). */
export function failedRunResult(tests: TestCase[], message: string, durationMs: number): EvalResult {
  const results = tests.map(
    (test, index): TestResult => ({
      name: testName(test, index),
      status: 'error',
      message,
      duration_ms: 0,
    }),
  );
  return summarise(results, '', durationMs, message);
}

function summarise(results: TestResult[], stdout: string, durationMs: number, message: string | undefined): EvalResult {
  let status: RunStatus = 'passed';
  for (const result of results) if (SEVERITY[result.status] > SEVERITY[status]) status = result.status;
  return {
    status,
    passed: results.filter((result) => result.status === 'passed').length,
    total: results.length,
    results: results.map((result) =>
      result.message === undefined ? result : { ...result, message: truncateText(result.message, MAX_REPORTED_MESSAGE_BYTES) },
    ),
    stdout: truncateText(stdout, MAX_REPORTED_STDOUT_BYTES),
    duration_ms: roundDuration(durationMs),
    ...(message ? { message: truncateText(message, MAX_REPORTED_MESSAGE_BYTES) } : {}),
  };
}

function roundDuration(ms: number): number {
  return Math.round(ms * 10) / 10;
}
