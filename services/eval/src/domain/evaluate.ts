import { type Actor, AppError, badRequest, serviceUnavailable, unauthorized } from '@codeyard/service-kit';
import { type EvalRequest, type EvalResult, InvalidEvalRequestError, QueueFullError, type SandboxPool, SandboxUnavailableError } from '../sandbox/index.js';

/**
 * Grades a program for a signed-in user or an internal service. The program's own failures
 * (loops, memory, output, throws) are results, not errors; only a full queue or a broken pool is.
 */
export async function evaluate(pool: SandboxPool, actor: Actor | null, request: EvalRequest): Promise<EvalResult> {
  if (!actor) throw unauthorized();
  try {
    return await pool.run(request);
  } catch (error) {
    if (error instanceof QueueFullError) {
      throw new AppError(503, 'The sandbox is busy; try again shortly', { headers: { 'retry-after': String(error.retryAfterSeconds) } });
    }
    if (error instanceof InvalidEvalRequestError) throw badRequest(error.message);
    if (error instanceof SandboxUnavailableError) throw serviceUnavailable(`The sandbox is unavailable: ${error.message}`);
    throw error;
  }
}
