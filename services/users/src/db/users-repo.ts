import { type Kysely, type Selectable, sql } from 'kysely';
import type { UsersDatabase, UsersTable } from './schema.js';

export interface UserRecord {
  id: number;
  username: string;
  email: string;
  passwordHash: string;
  karma: number;
  active: boolean;
  admin: boolean;
  tokenVersion: number;
  createdAt: string;
}

export interface NewUser {
  username: string;
  email: string;
  passwordHash: string;
  admin: boolean;
}

const toRecord = (row: Selectable<UsersTable>): UserRecord => ({
  id: row.id,
  username: row.username,
  email: row.email,
  passwordHash: row.password_hash,
  karma: row.karma,
  active: row.active === 1,
  admin: row.admin === 1,
  tokenVersion: row.token_version,
  createdAt: row.created_at,
});

export type UsersDb = Kysely<UsersDatabase>;

export function createUsersRepo(db: UsersDb) {
  return {
    async insert(user: NewUser, trx: UsersDb = db): Promise<UserRecord> {
      const now = new Date().toISOString();
      const row = await trx
        .insertInto('users')
        .values({
          username: user.username,
          email: user.email,
          password_hash: user.passwordHash,
          admin: user.admin ? 1 : 0,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async findById(id: number, trx: UsersDb = db): Promise<UserRecord | undefined> {
      const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },

    async findMany(ids: number[]): Promise<UserRecord[]> {
      if (ids.length === 0) return [];
      return (await db.selectFrom('users').selectAll().where('id', 'in', ids).execute()).map(toRecord);
    },

    async findByUsername(username: string, trx: UsersDb = db): Promise<UserRecord | undefined> {
      const row = await trx
        .selectFrom('users')
        .selectAll()
        .where(sql`lower(username)`, '=', username.toLowerCase())
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async findByEmail(email: string, trx: UsersDb = db): Promise<UserRecord | undefined> {
      const row = await trx
        .selectFrom('users')
        .selectAll()
        .where(sql`lower(email)`, '=', email.toLowerCase())
        .executeTakeFirst();
      return row && toRecord(row);
    },

    /** Newest first; `beforeId` is the cursor. */
    async list(filter: { username?: string | undefined; beforeId?: number | undefined; limit: number }): Promise<UserRecord[]> {
      let query = db.selectFrom('users').selectAll().orderBy('id', 'desc').limit(filter.limit);
      if (filter.username !== undefined) query = query.where(sql`lower(username)`, '=', filter.username.toLowerCase());
      if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
      return (await query.execute()).map(toRecord);
    },

    async update(
      id: number,
      changes: Partial<Pick<UserRecord, 'username' | 'email' | 'passwordHash' | 'active'>> & { bumpTokenVersion?: boolean },
      trx: UsersDb = db,
    ): Promise<UserRecord | undefined> {
      const row = await trx
        .updateTable('users')
        .set({
          ...(changes.username !== undefined && { username: changes.username }),
          ...(changes.email !== undefined && { email: changes.email }),
          ...(changes.passwordHash !== undefined && { password_hash: changes.passwordHash }),
          ...(changes.active !== undefined && { active: changes.active ? 1 : 0 }),
          ...(changes.bumpTokenVersion && { token_version: sql`token_version + 1` }),
          updated_at: new Date().toISOString(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async delete(id: number, trx: UsersDb = db): Promise<boolean> {
      const result = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async addKarma(id: number, delta: number, trx: UsersDb = db): Promise<number | undefined> {
      const row = await trx
        .updateTable('users')
        .set({ karma: sql`karma + ${delta}` })
        .where('id', '=', id)
        .returning(['karma'])
        .executeTakeFirst();
      return row?.karma;
    },

    async countAdmins(): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('admin', '=', 1)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
