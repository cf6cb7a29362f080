import type { GuestOutcome } from '../protocol.js';

export interface TestReporter {
  testFinished(index: number, outcome: GuestOutcome, durationMs: number): void;
}

export interface EngineRunSummary {
  /** Why no test could run (syntax error, missing entrypoint, top-level code failed). */
  loadFailure?: GuestOutcome;
  /** The worker process should be replaced after this run. */
  recycle: boolean;
}
