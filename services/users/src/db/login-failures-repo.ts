import type { Kysely } from 'kysely';
import type { UsersDatabase } from './schema.js';

type Db = Kysely<UsersDatabase>;

export interface LoginFailures {
  failures: number;
  windowStartedAt: string;
}

export function createLoginFailuresRepo(db: Db) {
  return {
    async find(subject: string): Promise<LoginFailures | undefined> {
      const row = await db.selectFrom('login_failures').select(['failures', 'window_started_at']).where('subject', '=', subject).executeTakeFirst();
      return row && { failures: row.failures, windowStartedAt: row.window_started_at };
    },

    /** Counts one failure; a window that started before `windowStart` begins again at 1. One statement, so concurrent failures all count. */
    async record(subject: string, now: string, windowStart: string): Promise<void> {
      await db
        .insertInto('login_failures')
        .values({ subject, failures: 1, window_started_at: now })
        .onConflict((oc) =>
          oc.column('subject').doUpdateSet((eb) => {
            const stale = eb('login_failures.window_started_at', '<', windowStart);
            return {
              failures: eb.case().when(stale).then(1).else(eb('login_failures.failures', '+', 1)).end(),
              window_started_at: eb.case().when(stale).then(now).else(eb.ref('login_failures.window_started_at')).end(),
            };
          }),
        )
        .execute();
      // Forget windows that ended, so names tried once do not pile up.
      await db.deleteFrom('login_failures').where('window_started_at', '<', windowStart).execute();
    },

    async clear(subject: string): Promise<void> {
      await db.deleteFrom('login_failures').where('subject', '=', subject).execute();
    },
  };
}

export type LoginFailuresRepo = ReturnType<typeof createLoginFailuresRepo>;
