import type { EvalLimits } from '../sandbox/index.js';
import { type Actor, AppError, badRequest, serviceUnavailable, unauthorized } from '@codeyard/service-kit';
import {
  type EvalRequest,
  type EvalResult,
  InvalidEvalRequestError,
  QueueFullError,
  type SandboxPool,
  SandboxUnavailableError,
} from '../sandbox/index.js';

/**
 * Grades a program for a signed-in user or an internal service. The program's own failures
 * (loops, memory, output, throws) are results, not errors; only a full queue or a broken pool is.
 */
export async function evaluate(pool: SandboxPool, actor: Actor | null, request: EvalRequest): Promise<EvalResult> {
  if (!actor) throw unauthorized();
  requireLimitsAllowedFor(actor, request, pool.defaultLimits());
  try {
    return await pool.run(request, { owner: ownerOf(actor, request) });
  } catch (error) {
    if (error instanceof QueueFullError) {
      throw new AppError(503, 'The sandbox is busy; try again shortly', { headers: { 'retry-after': String(error.retryAfterSeconds) } });
    }
    if (error instanceof InvalidEvalRequestError) throw badRequest(error.message);
    if (error instanceof SandboxUnavailableError) throw serviceUnavailable(`The sandbox is unavailable: ${error.message}`);
    throw error;
  }
}

/** The only service whose credential eval accepts: exercises, for its reference solutions. */
export const LIMIT_RAISERS = ['exercises'];

/**
 * Anyone may lower the limits; only exercises may raise them (up to the schema's maximum), for the
 * reference solutions it checks. A public caller asking for more would tie up a worker longer.
 */
function requireLimitsAllowedFor(actor: Actor, request: EvalRequest, defaults: Required<EvalLimits>): void {
  if (actor.kind === 'service' && LIMIT_RAISERS.includes(actor.name)) return;
  const { time_ms: timeMs, memory_mb: memoryMb } = request.limits ?? {};
  if ((timeMs !== undefined && timeMs > defaults.time_ms) || (memoryMb !== undefined && memoryMb > defaults.memory_mb)) {
    throw badRequest(`limits may only lower the defaults (${defaults.time_ms} ms, ${defaults.memory_mb} MB)`, {
      limits: `at most time_ms ${defaults.time_ms} and memory_mb ${defaults.memory_mb}`,
    });
  }
}

/** Whose turn a run takes: the signed-in user, or the user a service says it grades for. */
function ownerOf(actor: Actor, request: EvalRequest): string | undefined {
  if (actor.kind === 'user') return `user ${actor.id}`;
  return request.user_id === undefined ? undefined : `user ${request.user_id}`;
}
