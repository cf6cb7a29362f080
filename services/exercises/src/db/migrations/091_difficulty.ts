import { type Kysely, sql } from 'kysely';

// Numbered after 090_outbox so databases that already ran the outbox migration take it in order.
export async function up(db: Kysely<any>): Promise<void> {
  // Exercises written before difficulties existed are `medium`, the API's default.
  await db.schema
    .alterTable('exercises')
    .addColumn('difficulty', 'varchar(8)', (col) => col.notNull().defaultTo(sql`'medium'`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('exercises').dropColumn('difficulty').execute();
}
