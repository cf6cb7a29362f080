import type { FastifyBaseLogger } from 'fastify';
import type { Voting } from './voting.js';

/**
 * Background loop that finishes votes recorded while posts was down (or did not know the post):
 * every interval it asks posts about the ones that are due, with backoff per post.
 */
export function startPostResolver(options: { voting: Voting; intervalMs: number; logger: FastifyBaseLogger }) {
  const { voting, intervalMs, logger } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  function resolveDue(): Promise<number> {
    const previous = running ?? Promise.resolve(0);
    const next = previous.catch(() => 0).then(() => voting.resolveDuePosts());
    running = next;
    return next.finally(() => {
      if (running === next) running = undefined;
    });
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        const resolved = await resolveDue();
        if (resolved > 0) logger.info({ resolved }, 'learned the authors of voted posts');
      } catch (error) {
        logger.error({ err: error }, 'resolving voted posts failed');
      }
      schedule();
    }, intervalMs);
    timer.unref();
  }
  schedule();

  return {
    resolveDue,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

export type PostResolver = ReturnType<typeof startPostResolver>;
