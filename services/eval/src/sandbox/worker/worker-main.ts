/**
 * Entry point of a sandbox worker process. The parent starts it under the Node permission model
 * (read access to this bundle and the engine packages only; no child processes, workers, addons
 * or code generation from strings), with an empty environment, and talks to it over IPC. It runs
 * one job at a time and says `ready` whenever it can take the next one.
 */
import { constants as fsConstants } from 'node:fs';
import type { EngineKind } from '../types.js';
import type { GuestOutcome, RunJobMessage, WorkerMessage } from '../protocol.js';
import type { EngineRunSummary, TestReporter } from './run-reporting.js';
import { StdoutCapture } from './stdout-capture.js';

export interface WorkerConfig {
  kind: EngineKind;
  pyodideIndexURL: string;
  quickjsWasmPath: string;
  quickjsMaxStackBytes: number;
  /** The memory limit most runs use, so the next QuickJS instance can be prepared in advance. */
  defaultMemoryMb: number;
  /** Above this resident size after a run the worker asks to be replaced. */
  recycleAboveRssBytes: number;
}

interface Engine {
  readonly version: string;
  run(job: RunJobMessage['job'], capture: StdoutCapture, reporter: TestReporter): EngineRunSummary | Promise<EngineRunSummary>;
  /** Readies the engine for the next run; true when engine state was let go (worth a full GC). */
  prepareNextRun(): Promise<boolean>;
}

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new Error('the sandbox worker has no IPC channel'));
      return;
    }
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * Emscripten's NODEFS setup reads file-open flags through process.binding('constants'), which the
 * permission model forbids; the same numbers are public in fs.constants.
 */
function provideFsConstantsBinding(): void {
  const withBinding = process as unknown as { binding: (name: string) => unknown };
  const originalBinding = withBinding.binding.bind(process);
  withBinding.binding = (name: string) => (name === 'constants' ? { fs: fsConstants } : originalBinding(name));
}

async function createEngine(config: WorkerConfig): Promise<Engine> {
  if (config.kind === 'pyodide') {
    const { PyodideEngine } = await import('./pyodide-engine.js');
    return PyodideEngine.create(config.pyodideIndexURL);
  }
  const { QuickJsEngine } = await import('./quickjs-engine.js');
  return QuickJsEngine.create(config.quickjsWasmPath, config.quickjsMaxStackBytes, config.defaultMemoryMb);
}

async function runJob(engine: Engine, job: RunJobMessage['job'], config: WorkerConfig): Promise<void> {
  const capture = new StdoutCapture(job.maxStdoutBytes);
  const pendingSends: Promise<void>[] = [];
  const reporter: TestReporter = {
    testFinished(index, outcome, durationMs) {
      pendingSends.push(send({ type: 'test-finished', jobId: job.jobId, index, outcome, durationMs, stdout: capture.takeChunk() }));
    },
  };
  let summary: EngineRunSummary;
  try {
    summary = await engine.run(job, capture, reporter);
  } catch (error) {
    const crashed: GuestOutcome = { kind: 'crashed', message: `the sandbox engine failed: ${String(error).slice(0, 500)}` };
    summary = { loadFailure: crashed, recycle: true };
  }
  await Promise.all(pendingSends);
  const recycle = summary.recycle || process.memoryUsage().rss > config.recycleAboveRssBytes;
  await send({
    type: 'run-finished',
    jobId: job.jobId,
    ...(summary.loadFailure ? { loadFailure: summary.loadFailure } : {}),
    stdout: capture.takeChunk(),
    recycle,
  });
  if (recycle) return;
  // A full collection costs tens of ms in a Pyodide worker: only after an engine was let go.
  if (await engine.prepareNextRun()) (globalThis as { gc?: () => void }).gc?.();
  await send({ type: 'ready', engineVersion: engine.version });
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  // Without the parent there is nobody to serve; never linger as an orphan.
  process.on('disconnect', () => process.exit(0));
  provideFsConstantsBinding();
  const engine = await createEngine(config);
  let queue = Promise.resolve();
  process.on('message', (message: RunJobMessage) => {
    if (message?.type !== 'run') return;
    queue = queue
      .then(() => runJob(engine, message.job, config))
      .catch((error: unknown) => {
        process.stderr.write(`sandbox worker failed: ${String(error)}\n`);
        process.exit(1);
      });
  });
  await send({ type: 'ready', engineVersion: engine.version });
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox worker could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
