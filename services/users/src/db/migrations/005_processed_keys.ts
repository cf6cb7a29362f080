import { copyRowsInBatches, createProcessedKeysTable, dropProcessedKeysTable, PROCESSED_KEYS_TABLE } from '@codeyard/service-kit';
import type { Kysely } from 'kysely';

/** `karma_events` becomes scope `karma` of service-kit's `processed_keys` (one shape for applied keys). */
export async function up(db: Kysely<any>): Promise<void> {
  await createProcessedKeysTable(db);
  await copyRowsInBatches(db, {
    from: 'karma_events',
    to: PROCESSED_KEYS_TABLE,
    orderBy: 'idempotency_key',
    map: (row) => ({
      scope: 'karma',
      key: row.idempotency_key,
      result: JSON.stringify({ userId: Number(row.user_id), delta: Number(row.delta) }),
      created_at: row.created_at,
    }),
  });
  await db.schema.dropTable('karma_events').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('karma_events')
    .addColumn('idempotency_key', 'varchar(200)', (col) => col.primaryKey())
    .addColumn('user_id', 'integer', (col) => col.notNull())
    .addColumn('delta', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute();
  await copyRowsInBatches(db, {
    from: PROCESSED_KEYS_TABLE,
    to: 'karma_events',
    orderBy: 'key',
    where: ['scope', 'karma'],
    map: (row) => {
      const result = (row.result === null ? {} : JSON.parse(row.result)) as { userId?: number; delta?: number };
      return { idempotency_key: row.key, user_id: result.userId ?? 0, delta: result.delta ?? 0, created_at: row.created_at };
    },
  });
  await dropProcessedKeysTable(db);
}
