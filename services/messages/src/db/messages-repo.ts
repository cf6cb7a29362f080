import type { Kysely, Selectable } from 'kysely';
import type { MessagesDatabase, MessagesTable } from './schema.js';

export type Party = 'sender' | 'recipient';

export interface MessageRecord {
  id: number;
  senderId: number;
  senderUsername: string;
  recipientId: number;
  recipientUsername: string;
  content: string;
  senderDeleted: boolean;
  recipientDeleted: boolean;
  senderFavorite: boolean;
  recipientFavorite: boolean;
  createdAt: string;
}

type Db = Kysely<MessagesDatabase>;

const toRecord = (row: Selectable<MessagesTable>): MessageRecord => ({
  id: row.id,
  senderId: row.sender_id,
  senderUsername: row.sender_username,
  recipientId: row.recipient_id,
  recipientUsername: row.recipient_username,
  content: row.content,
  senderDeleted: row.sender_deleted === 1,
  recipientDeleted: row.recipient_deleted === 1,
  senderFavorite: row.sender_favorite === 1,
  recipientFavorite: row.recipient_favorite === 1,
  createdAt: row.created_at,
});

const PARTY_COLUMNS = {
  sender: { user: 'sender_id', deleted: 'sender_deleted', favorite: 'sender_favorite' },
  recipient: { user: 'recipient_id', deleted: 'recipient_deleted', favorite: 'recipient_favorite' },
} as const;

export function createMessagesRepo(db: Db) {
  return {
    async insert(
      message: { senderId: number; senderUsername: string; recipientId: number; recipientUsername: string; content: string },
      trx: Db = db,
    ): Promise<MessageRecord> {
      const row = await trx
        .insertInto('messages')
        .values({
          sender_id: message.senderId,
          sender_username: message.senderUsername,
          recipient_id: message.recipientId,
          recipient_username: message.recipientUsername,
          content: message.content,
          created_at: new Date().toISOString(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async findById(id: number, trx: Db = db): Promise<MessageRecord | undefined> {
      const row = await trx.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },

    /** One party's box, newest first, without what that party deleted. */
    async listBox(filter: { userId: number; party: Party; favorite?: boolean | undefined; beforeId?: number | undefined; limit: number }) {
      const columns = PARTY_COLUMNS[filter.party];
      let query = db
        .selectFrom('messages')
        .selectAll()
        .where(columns.user, '=', filter.userId)
        .where(columns.deleted, '=', 0)
        .orderBy('id', 'desc')
        .limit(filter.limit);
      if (filter.favorite !== undefined) query = query.where(columns.favorite, '=', filter.favorite ? 1 : 0);
      if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
      return (await query.execute()).map(toRecord);
    },

    async setFlag(
      id: number,
      party: Party,
      flag: 'deleted' | 'favorite',
      value: boolean,
      trx: Db = db,
    ): Promise<MessageRecord | undefined> {
      const row = await trx
        .updateTable('messages')
        .set({ [PARTY_COLUMNS[party][flag]]: value ? 1 : 0 })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toRecord(row);
    },

    /** Removes the row once neither party keeps it. */
    async deleteIfGoneForBoth(id: number, trx: Db = db): Promise<void> {
      await trx.deleteFrom('messages').where('id', '=', id).where('sender_deleted', '=', 1).where('recipient_deleted', '=', 1).execute();
    },
  };
}

export type MessagesRepo = ReturnType<typeof createMessagesRepo>;
