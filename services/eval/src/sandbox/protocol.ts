import { z } from 'zod';
import type { EngineKind, Language } from './types.js';

export const MAX_WIRE_MESSAGE_CHARS = 8 * 1024 * 1024;

export interface RunJob {
  jobId: number;
  language: Language;
  /** For JavaScript and TypeScript: esbuild's CommonJS output. For Python: the submitted code. */
  source: string;
  entrypoint: string;
  argsWire: string[];
  timeMs: number;
  memoryMb: number;
  maxStdoutBytes: number;
  maxReturnBytes: number;
}

export interface RunJobMessage {
  type: 'run';
  job: RunJob;
}

export function engineKindFor(language: Language): EngineKind {
  return language === 'python' ? 'pyodide' : 'quickjs';
}

// Everything a worker says is validated: a worker runs hostile code, so its messages are input.
const boundedText = z.string().max(MAX_WIRE_MESSAGE_CHARS);
const messageText = z.string().max(64 * 1024);

export const guestOutcomeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('returned'), valueWire: boundedText }),
  z.object({ kind: z.literal('error'), message: messageText }),
  z.object({ kind: z.literal('timeout'), message: messageText.optional() }),
  z.object({ kind: z.literal('memory_limit'), message: messageText.optional() }),
  z.object({ kind: z.literal('output_limit') }),
  /** The program reached for something the sandbox forbids; the interpreter was discarded. */
  z.object({ kind: z.literal('blocked'), message: messageText }),
  /** The engine itself failed (e.g. native stack overflow); the worker replaces it. */
  z.object({ kind: z.literal('crashed'), message: messageText }),
]);
export type GuestOutcome = z.infer<typeof guestOutcomeSchema>;

export const workerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), engineVersion: z.string().max(200) }),
  z.object({
    type: z.literal('test-finished'),
    jobId: z.number().int(),
    index: z.number().int().min(0),
    outcome: guestOutcomeSchema,
    durationMs: z.number().min(0),
    stdout: boundedText,
  }),
  z.object({
    type: z.literal('run-finished'),
    jobId: z.number().int(),
    loadFailure: guestOutcomeSchema.optional(),
    stdout: boundedText,
    /** The worker wants to be replaced (engine state can no longer be trusted). */
    recycle: z.boolean(),
  }),
]);
export type WorkerMessage = z.infer<typeof workerMessageSchema>;
export type TestFinishedMessage = Extract<WorkerMessage, { type: 'test-finished' }>;
export type RunFinishedMessage = Extract<WorkerMessage, { type: 'run-finished' }>;
