import { type Actor, badRequest, notFound, type ProcessedKeys, requireServiceOrAdmin } from '@codeyard/service-kit';

/** Karma follows votes: no other service may change it. */
/** The only service that changes karma (its outbox); users accepts no other service's credential. */
export const KARMA_WRITERS = ['votes'];
import type { Kysely } from 'kysely';
import type { UsersDatabase } from '../db/schema.js';
import type { UsersRepo } from '../db/users-repo.js';

export interface KarmaEventResult {
  userId: number;
  delta: number;
}

export function createKarma(deps: {
  db: Kysely<UsersDatabase>;
  users: UsersRepo;
  /** applied karma events (service-kit `processedKeys(db, 'karma')`) */
  karmaEvents: ProcessedKeys<KarmaEventResult>;
}) {
  const { db, users, karmaEvents } = deps;
  return {
    /**
     * Adds `delta` to a user's karma. With an idempotency key (the votes outbox sends the event
     * id) the change is applied once however often it is delivered: the key and the change
     * commit together.
     */
    async changeKarma(actor: Actor | null, userId: number, delta: number, idempotencyKey: string | undefined) {
      requireServiceOrAdmin(actor, KARMA_WRITERS);
      if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
        throw badRequest('Invalid Idempotency-Key', { 'idempotency-key': 'must be 1-200 visible ASCII characters' });
      }
      const karma = await db.transaction().execute(async (trx) => {
        const user = await users.findById(userId, trx);
        if (!user) return undefined;
        const key = idempotencyKey === undefined ? undefined : `${actor?.kind === 'service' ? actor.name : 'admin'}:${idempotencyKey}`;
        if (key !== undefined && !(await karmaEvents.recordOnce(key, { userId, delta }, trx))) return user.karma;
        return users.addKarma(userId, delta, trx);
      });
      if (karma === undefined) throw notFound(`User ${userId} does not exist`);
      return { id: userId, karma };
    },
  };
}
