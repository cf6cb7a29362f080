import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type GuestOutcome, type RunJob, type WorkerMessage, workerMessageSchema } from './protocol.js';
import type { EngineKind } from './types.js';
import type { WorkerLauncher } from './worker-launcher.js';

export type WorkerState = 'starting' | 'ready' | 'busy' | 'preparing' | 'retiring' | 'dead';

export interface RecordedTest {
  outcome: GuestOutcome;
  durationMs: number;
}

export type RunEnding =
  | { kind: 'finished'; loadFailure?: GuestOutcome }
  | { kind: 'killed-timeout' }
  | { kind: 'killed-memory' }
  | { kind: 'crashed'; detail: string };

export interface WorkerRunRecord {
  tests: RecordedTest[];
  stdout: string;
  /** Length of `stdout` when each recorded test finished (output up to and including that test). */
  stdoutAfterTest: number[];
  ending: RunEnding;
  /** Time the worker spent on the test that was running when it was stopped. */
  unfinishedTestMs: number;
}

export interface RunLimits {
  hardTimeoutMs: number;
  /** Resident memory of the worker's process tree above which it is killed (undefined: not watched). */
  rssLimitBytes: number | undefined;
  maxStdoutBytes: number;
}

export interface WorkerLifecycleEvents {
  onReady(worker: SandboxWorker): void;
  onExit(worker: SandboxWorker, diedBeforeReady: boolean): void;
}

interface ActiveRun {
  jobId: number;
  tests: RecordedTest[];
  stdout: string;
  stdoutAfterTest: number[];
  stdoutBytes: number;
  maxStdoutBytes: number;
  lastProgressAt: number;
  killReason: 'timeout' | 'memory' | undefined;
  hardTimer: NodeJS.Timeout;
  memoryWatch: NodeJS.Timeout | undefined;
  finish(record: WorkerRunRecord): void;
}

const MEMORY_POLL_MS = 50;
const STDERR_TAIL_CHARS = 4_000;

let nextWorkerId = 1;

/** The service-side handle of one worker process: starts it, feeds it one job at a time, kills it. */
export class SandboxWorker {
  readonly id = nextWorkerId++;
  readonly kind: EngineKind;
  state: WorkerState = 'starting';
  runsCompleted = 0;
  engineVersion = '';
  private readonly child: ChildProcess;
  private readonly events: WorkerLifecycleEvents;
  private readonly startupTimer: NodeJS.Timeout;
  private active: ActiveRun | undefined;
  private everReady = false;
  private stderrTail = '';

  constructor(kind: EngineKind, launcher: WorkerLauncher, events: WorkerLifecycleEvents, startupTimeoutMs: number) {
    this.kind = kind;
    this.events = events;
    this.child = launcher.spawnWorker(kind);
    this.startupTimer = setTimeout(() => this.kill(), startupTimeoutMs);
    this.child.stdout?.resume();
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    this.child.on('message', (message: unknown) => this.handleMessage(message));
    this.child.on('error', () => this.kill());
    this.child.on('exit', (code, signal) => this.handleExit(code, signal));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Recent stderr of the worker process, for diagnosing a crash. */
  get diagnostics(): string {
    return this.stderrTail;
  }

  execute(job: RunJob, limits: RunLimits): Promise<WorkerRunRecord> {
    if (this.state !== 'ready') return Promise.reject(new Error(`worker ${this.id} is ${this.state}, not ready`));
    this.state = 'busy';
    return new Promise<WorkerRunRecord>((resolve) => {
      const run: ActiveRun = {
        jobId: job.jobId,
        tests: [],
        stdout: '',
        stdoutAfterTest: [],
        stdoutBytes: 0,
        maxStdoutBytes: limits.maxStdoutBytes,
        lastProgressAt: performance.now(),
        killReason: undefined,
        hardTimer: setTimeout(() => this.stopActiveRun('timeout'), limits.hardTimeoutMs),
        memoryWatch: undefined,
        finish: (record) => {
          clearTimeout(run.hardTimer);
          if (run.memoryWatch) clearInterval(run.memoryWatch);
          this.active = undefined;
          resolve(record);
        },
      };
      const rssLimit = limits.rssLimitBytes;
      if (rssLimit !== undefined && this.child.pid !== undefined) {
        const pid = this.child.pid;
        run.memoryWatch = setInterval(() => {
          if (processTreeRssBytes(pid) > rssLimit) this.stopActiveRun('memory');
        }, MEMORY_POLL_MS);
      }
      this.active = run;
      this.child.send({ type: 'run', job }, (error) => {
        if (error) this.kill();
      });
    });
  }

  /** Takes the worker out of service for good; it is killed and never offered work again. */
  retire(): void {
    if (this.state !== 'dead') this.state = 'retiring';
    this.kill();
  }

  /** Calls back once the process has exited (at once if it already has). */
  onceDead(callback: () => void): void {
    if (this.state === 'dead') callback();
    else this.child.once('exit', () => callback());
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private stopActiveRun(reason: 'timeout' | 'memory'): void {
    if (!this.active) return;
    this.active.killReason ??= reason;
    this.kill();
  }

  private handleMessage(raw: unknown): void {
    const parsed = workerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.kill();
      return;
    }
    const message: WorkerMessage = parsed.data;
    switch (message.type) {
      case 'ready':
        if (this.state === 'retiring') return;
        if (this.state !== 'starting' && this.state !== 'preparing') {
          this.kill();
          return;
        }
        clearTimeout(this.startupTimer);
        this.engineVersion = message.engineVersion;
        this.everReady = true;
        this.state = 'ready';
        this.events.onReady(this);
        return;
      case 'test-finished': {
        const run = this.active;
        if (!run || message.jobId !== run.jobId || message.index !== run.tests.length) {
          this.kill();
          return;
        }
        run.tests.push({ outcome: message.outcome, durationMs: message.durationMs });
        this.appendStdout(run, message.stdout);
        run.stdoutAfterTest.push(run.stdout.length);
        run.lastProgressAt = performance.now();
        return;
      }
      case 'run-finished': {
        const run = this.active;
        if (!run || message.jobId !== run.jobId) {
          this.kill();
          return;
        }
        this.appendStdout(run, message.stdout);
        this.runsCompleted += 1;
        if (message.recycle) this.retire();
        else this.state = 'preparing';
        run.finish({
          tests: run.tests,
          stdout: run.stdout,
          stdoutAfterTest: run.stdoutAfterTest,
          ending: message.loadFailure ? { kind: 'finished', loadFailure: message.loadFailure } : { kind: 'finished' },
          unfinishedTestMs: 0,
        });
        return;
      }
    }
  }

  /** The worker caps output too, but it runs hostile code, so the cap is enforced here as well. */
  private appendStdout(run: ActiveRun, chunk: string): void {
    if (chunk === '' || run.stdoutBytes >= run.maxStdoutBytes) return;
    const bytes = Buffer.byteLength(chunk);
    const room = run.maxStdoutBytes - run.stdoutBytes;
    run.stdout += bytes <= room ? chunk : Buffer.from(chunk).subarray(0, room).toString();
    run.stdoutBytes += Math.min(bytes, room);
  }

  private handleExit(code: number | null, signal: NodeJS.Signals | null): void {
    const wasStarting = !this.everReady;
    this.state = 'dead';
    clearTimeout(this.startupTimer);
    const run = this.active;
    if (run) {
      const ending: RunEnding =
        run.killReason === 'timeout'
          ? { kind: 'killed-timeout' }
          : run.killReason === 'memory' || /heap limit|out of memory/i.test(this.stderrTail)
            ? { kind: 'killed-memory' }
            : { kind: 'crashed', detail: signal ? `signal ${signal}` : `exit code ${code}` };
      run.finish({
        tests: run.tests,
        stdout: run.stdout,
        stdoutAfterTest: run.stdoutAfterTest,
        ending,
        unfinishedTestMs: performance.now() - run.lastProgressAt,
      });
    }
    this.events.onExit(this, wasStarting);
  }
}

/** Resident memory of a process and its descendants (bubblewrap puts node one or two levels down). */
export function processTreeRssBytes(rootPid: number): number {
  let total = 0;
  const pending = [rootPid];
  const seen = new Set<number>();
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      total += Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0) * 1024;
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      if (children) pending.push(...children.split(/\s+/).map(Number));
    } catch {
      // The process ended between reads, or /proc is not available.
    }
  }
  return total;
}
