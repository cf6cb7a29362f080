import type { messages as contracts } from '@codeyard/contracts';
import {
  type Actor,
  badRequest,
  conflict,
  findIdempotentResponse,
  type IdempotentResponse,
  notFound,
  requestHash,
  requireUser,
  type UserActor,
  withIdempotency,
} from '@codeyard/service-kit';
import type { Kysely } from 'kysely';
import type { MessageRecord, MessagesRepo, Party } from '../db/messages-repo.js';
import type { MessagesDatabase } from '../db/schema.js';
import type { RecipientDirectory } from './recipients.js';

/** A message as one of its parties sees it: `favorite` is that party's own flag. */
export function presentMessage(message: MessageRecord, party: Party): contracts.Message {
  return {
    id: message.id,
    from: message.senderUsername,
    to: message.recipientUsername,
    content: message.content,
    favorite: party === 'sender' ? message.senderFavorite : message.recipientFavorite,
    created_at: message.createdAt,
  };
}

/** Which party the user is, if they may still see the message (not deleted on their side). */
function partyOf(user: UserActor, message: MessageRecord): Party | undefined {
  if (message.senderId === user.id && !message.senderDeleted) return 'sender';
  if (message.recipientId === user.id && !message.recipientDeleted) return 'recipient';
  return undefined;
}

/** Anyone but the two parties (and a party who deleted it) learns nothing: 404, as for no message. */
function requireParty(user: UserActor, message: MessageRecord | undefined, id: number): { message: MessageRecord; party: Party } {
  const party = message && partyOf(user, message);
  if (!message || !party) throw notFound(`Message ${id} does not exist`);
  return { message, party };
}

export function createMessaging(deps: { db: Kysely<MessagesDatabase>; messages: MessagesRepo; recipients: RecipientDirectory }) {
  const { db, messages, recipients } = deps;

  async function changeFlag(actor: Actor | null, id: number, flag: 'deleted' | 'favorite', value: boolean) {
    const user = requireUser(actor);
    return db.transaction().execute(async (trx) => {
      const { party } = requireParty(user, await messages.findById(id, trx), id);
      const updated = await messages.setFlag(id, party, flag, value, trx);
      if (!updated) throw notFound(`Message ${id} does not exist`);
      if (flag === 'deleted') await messages.deleteIfGoneForBoth(id, trx);
      return presentMessage(updated, party);
    });
  }

  return {
    /** 409 when users knows no active account by that name; 503 when users cannot be asked. */
    async sendMessage(
      actor: Actor | null,
      input: contracts.SendMessageBody,
      idempotencyKey: string | undefined,
      requestId?: string,
    ): Promise<IdempotentResponse<contracts.Message>> {
      const sender = requireUser(actor);
      const request = { to: input.to.toLowerCase(), content: input.content };
      // A repeat answers as the first time, even if the recipient has been deactivated since.
      if (idempotencyKey !== undefined) {
        const scope = { userId: sender.id, key: idempotencyKey, requestHash: requestHash(request) };
        const stored = await findIdempotentResponse<contracts.Message>(db, scope);
        if (stored) return stored;
      }
      const recipient = await recipients.check(input.to, requestId);
      if (recipient.status === 'unknown') throw conflict(`There is no user named ${input.to}`, { to: 'is not a user' });
      if (recipient.status === 'deactivated') throw conflict(`${recipient.username}'s account is deactivated`, { to: 'is deactivated' });
      if (recipient.id === sender.id) throw badRequest('You cannot send a message to yourself', { to: 'is you' });
      return withIdempotency(db, { userId: sender.id, key: idempotencyKey, request }, async (trx) => {
        const message = await messages.insert(
          {
            senderId: sender.id,
            senderUsername: sender.username,
            recipientId: recipient.id,
            recipientUsername: recipient.username,
            content: input.content,
          },
          trx,
        );
        return { statusCode: 201, body: presentMessage(message, 'sender') };
      });
    },

    async listMessages(
      actor: Actor | null,
      filter: { box: contracts.Box; favorite?: boolean | undefined; beforeId?: number | undefined; limit: number },
    ): Promise<contracts.Message[]> {
      const user = requireUser(actor);
      const party: Party = filter.box === 'inbox' ? 'recipient' : 'sender';
      const rows = await messages.listBox({ ...filter, userId: user.id, party });
      return rows.map((message) => presentMessage(message, party));
    },

    async getMessage(actor: Actor | null, id: number): Promise<contracts.Message> {
      const user = requireUser(actor);
      const { message, party } = requireParty(user, await messages.findById(id), id);
      return presentMessage(message, party);
    },

    /** Gone for the caller only; the other party keeps it. */
    deleteMessage: async (actor: Actor | null, id: number) => {
      await changeFlag(actor, id, 'deleted', true);
    },

    setFavorite: (actor: Actor | null, id: number, favorite: boolean) => changeFlag(actor, id, 'favorite', favorite),
  };
}

export type Messaging = ReturnType<typeof createMessaging>;
