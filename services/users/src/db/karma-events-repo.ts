import type { Kysely } from 'kysely';
import type { UsersDatabase } from './schema.js';

type Db = Kysely<UsersDatabase>;

export function createKarmaEventsRepo(db: Db) {
  return {
    /** Records the key; false when it was recorded before (the event was already applied). */
    async recordOnce(key: string, userId: number, delta: number, trx: Db = db): Promise<boolean> {
      const result = await trx
        .insertInto('karma_events')
        .values({ idempotency_key: key, user_id: userId, delta, created_at: new Date().toISOString() })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
  };
}
