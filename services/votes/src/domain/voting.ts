import type { votes as contracts } from '@codeyard/contracts';
import { type Actor, enqueueEvent, requireServiceOrAdmin, requireUser } from '@codeyard/service-kit';
import type { Kysely } from 'kysely';
import type { VotesDatabase } from '../db/schema.js';
import type { PostInfo, TalliesRepo, TallyRecord } from '../db/tallies-repo.js';
import type { VotesRepo } from '../db/votes-repo.js';
import type { PostDirectory, PostLookup } from './post-directory.js';

/** The only service that announces deleted posts (its outbox); votes accepts no other service's credential. */
export const DELETION_ANNOUNCERS = ['posts'];

const DIRECTION_VALUE: Record<contracts.Direction, number> = { up: 1, down: -1, none: 0 };
const DIRECTION_OF_VALUE = (value: number | undefined): contracts.Direction => (value === 1 ? 'up' : value === -1 ? 'down' : 'none');
const MAX_RESOLVE_BACKOFF_MS = 10 * 60_000;

export function presentTally(postId: number, tally: TallyRecord | undefined): contracts.Tally {
  return { post_id: postId, upvotes: tally?.upvotes ?? 0, downvotes: tally?.downvotes ?? 0, score: tally?.score ?? 0 };
}

/** When to ask posts again about a post it could not tell us about. */
function nextResolveAt(attempts: number): string {
  const delay = Math.min(MAX_RESOLVE_BACKOFF_MS, 1_000 * 2 ** Math.min(attempts, 20));
  return new Date(Date.now() + delay).toISOString();
}

type Db = Kysely<VotesDatabase>;

/**
 * Runs tasks with the same key one after another, in arrival order; other keys run concurrently.
 * Votes on one post serialise on its tally row anyway; queueing them here first keeps a hot post
 * from tying up every database connection (Postgres pool) or waking every waiter of SQLite's
 * single connection on each hand-over.
 */
function createKeyedQueue() {
  const tails = new Map<number, Promise<unknown>>();
  return <T>(key: number, task: () => Promise<T>): Promise<T> => {
    const result = (tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}

/**
 * Votes and their karma. Rules:
 * - one vote per (user, post); a change or retraction moves the author's karma by the difference
 *   (up → down is one event of −2), through the outbox, in the vote's own transaction;
 * - self-votes count in the tally but not in the author's karma;
 * - a vote is recorded even when posts is down: the author is looked up later, and the karma of
 *   every vote cast meanwhile is sent then, in one event;
 * - votes does not check that a post exists before recording a vote (API.md): a vote on any id is
 *   recorded and answered 200. A post posts says does not exist (a 404, or its deletion event) is
 *   gone: its tally leaves top lists and rank, and votes on it move no karma (a deleted post's
 *   karma is frozen). Only posts posts has confirmed reach top lists.
 */
export function createVoting(deps: { db: Db; tallies: TalliesRepo; votes: VotesRepo; directory: PostDirectory; wakeRelay: () => void }) {
  const { db, tallies, votes, directory, wakeRelay } = deps;
  const onePerPost = createKeyedQueue();

  async function enqueueKarma(trx: Db, authorId: number, delta: number): Promise<boolean> {
    if (delta === 0) return false;
    await enqueueEvent(trx, { destination: 'users', method: 'POST', path: `/users/${authorId}/karma`, body: { delta } });
    return true;
  }

  /**
   * With the tally row locked: stores what posts told us and owes the author the karma of every
   * vote cast before we knew them (all of the post's votes but the author's own).
   */
  async function resolveLocked(trx: Db, postId: number, info: PostInfo): Promise<{ tally: TallyRecord; enqueued: boolean }> {
    const tally = await tallies.markResolved(postId, info, trx);
    const owed = await votes.sumExcept(postId, info.authorId, trx);
    return { tally, enqueued: await enqueueKarma(trx, info.authorId, owed) };
  }

  /** Asks posts about the post unless we know it already or asked recently without an answer. */
  async function lookUpIfUnknown(postId: number, requestId: string | undefined): Promise<PostLookup | undefined> {
    const cached = directory.cached(postId);
    if (cached) return { status: 'found', info: cached };
    const known = await tallies.find(postId);
    if (known?.goneAt) return undefined;
    if (known && known.authorId !== null) return undefined;
    if (known?.nextResolveAt && known.nextResolveAt > new Date().toISOString()) return undefined;
    return directory.lookup(postId, requestId);
  }

  /**
   * Applies a looked-up answer to a post (from a vote or the background resolver): resolves an
   * unresolved one, confirms a re-checked one, marks a missing one gone, or schedules another try.
   */
  async function applyLookup(trx: Db, tally: TallyRecord, lookup: PostLookup | undefined) {
    if (lookup === undefined || tally.goneAt !== null) return { tally, enqueued: false };
    if (lookup.status === 'missing') {
      await tallies.markGone(tally.postId, trx);
      return { tally: { ...tally, goneAt: new Date().toISOString() }, enqueued: false };
    }
    if (lookup.status === 'found') {
      if (tally.authorId === null) return resolveLocked(trx, tally.postId, lookup.info);
      if (tally.nextResolveAt !== null) await tallies.markConfirmed(tally.postId, trx);
      return { tally, enqueued: false };
    }
    await tallies.markResolveFailed(tally.postId, nextResolveAt(tally.resolveAttempts + 1), trx);
    return { tally, enqueued: false };
  }

  return {
    async castVote(actor: Actor | null, postId: number, direction: contracts.Direction, requestId?: string): Promise<contracts.MyVote> {
      const user = requireUser(actor);
      const to = DIRECTION_VALUE[direction];
      const lookup = await lookUpIfUnknown(postId, requestId);
      const outcome = await onePerPost(postId, () =>
        db.transaction().execute(async (trx) => {
          const locked = await tallies.lockOrCreate(postId, lookup?.status === 'found' ? lookup.info : undefined, trx);
          // A missing post is marked gone here; one deleted meanwhile (its event came in after the
          // look-up) is gone already: either way the vote is recorded and moves no karma.
          let { tally, enqueued } = await applyLookup(trx, locked, lookup);
          const from = await votes.directionOf(user.id, postId, trx);
          if (from === to) return { tally, enqueued };
          await votes.set(user.id, postId, to, trx);
          tally = await tallies.applyChange(postId, from, to, trx);
          if (tally.goneAt === null && tally.authorId !== null && tally.authorId !== user.id) {
            enqueued = (await enqueueKarma(trx, tally.authorId, to - from)) || enqueued;
          }
          return { tally, enqueued };
        }),
      );
      if (outcome.enqueued) wakeRelay();
      return { ...presentTally(postId, outcome.tally), my_vote: direction };
    },

    async getTally(postId: number): Promise<contracts.Tally> {
      return presentTally(postId, await tallies.find(postId));
    },

    /** Tallies of the given posts in the order given (zeros when none), with the caller's own votes when signed in. */
    async talliesOf(actor: Actor | null, postIds: number[]): Promise<contracts.TallyWithMyVote[]> {
      const known = new Map((await tallies.findMany(postIds)).map((tally) => [tally.postId, tally]));
      const mine = actor?.kind === 'user' ? await votes.directionsOf(actor.id, postIds) : undefined;
      return postIds.map((postId) => ({
        ...presentTally(postId, known.get(postId)),
        ...(mine && { my_vote: DIRECTION_OF_VALUE(mine.get(postId)) }),
      }));
    },

    listTop: (filter: Parameters<TalliesRepo['listTop']>[0]) => tallies.listTop(filter),

    /**
     * The given posts, highest score first (ties newest first); duplicates once. Gone posts are left
     * out; votes on a post posts has not confirmed yet do not count (it ranks as unvoted, score 0).
     */
    async rankPosts(postIds: number[]): Promise<contracts.Tally[]> {
      const unique = [...new Set(postIds)];
      const known = new Map((await tallies.findMany(unique)).map((tally) => [tally.postId, tally]));
      return unique
        .filter((postId) => !known.get(postId)?.goneAt)
        .map((postId) => {
          const tally = known.get(postId);
          return presentTally(postId, tally?.authorId === null ? undefined : tally);
        })
        .sort((a, b) => b.score - a.score || b.post_id - a.post_id);
    },

    /** Posts deleted the post (its outbox event): the tally is gone, whether or not anyone voted. */
    async markPostDeleted(actor: Actor | null, postId: number): Promise<void> {
      requireServiceOrAdmin(actor, DELETION_ANNOUNCERS);
      await onePerPost(postId, () => db.transaction().execute((trx) => tallies.markGone(postId, trx)));
      directory.forget(postId);
    },

    /**
     * Looks up posts whose look-up is due (authors still unknown, and resolved posts queued for a
     * re-check); returns how many were found.
     */
    async resolveDuePosts(batchSize = 50): Promise<number> {
      const due = await tallies.dueForResolution(new Date().toISOString(), batchSize);
      let resolved = 0;
      let enqueuedAny = false;
      for (const pending of due) {
        const lookup = await directory.lookup(pending.postId, undefined, { fresh: pending.authorId !== null });
        const outcome = await onePerPost(pending.postId, () =>
          db.transaction().execute(async (trx) => {
            const tally = await tallies.lockOrCreate(pending.postId, undefined, trx);
            return applyLookup(trx, tally, lookup);
          }),
        );
        if (lookup.status === 'found') resolved += 1;
        enqueuedAny ||= outcome.enqueued;
      }
      if (enqueuedAny) wakeRelay();
      return resolved;
    },
  };
}

export type Voting = ReturnType<typeof createVoting>;
