/** Too many runs are already waiting; the HTTP layer answers 503 with Retry-After. */
export class QueueFullError extends Error {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(`The sandbox queue is full; retry in ${retryAfterSeconds} s`);
    this.name = 'QueueFullError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The request does not satisfy evalRequestSchema (the HTTP layer validates first; this guards library callers). */
export class InvalidEvalRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEvalRequestError';
  }
}

/** Worker processes for a language cannot be started, or the pool was closed. */
export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxUnavailableError';
  }
}
