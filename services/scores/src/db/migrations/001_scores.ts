import { withIdColumn } from '@codeyard/service-kit';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await withIdColumn(db, db.schema.createTable('scores'))
    .addColumn('user_id', 'integer', (col) => col.notNull())
    .addColumn('exercise_id', 'integer', (col) => col.notNull())
    .addColumn('correct', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('solved_at', 'varchar(30)')
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(30)', (col) => col.notNull())
    .addUniqueConstraint('scores_user_exercise', ['user_id', 'exercise_id'])
    .execute();
  await db.schema.createIndex('scores_exercise_id').on('scores').column('exercise_id').execute();
  // The leaderboard groups the correct rows by user.
  await db.schema.createIndex('scores_correct_user').on('scores').columns(['correct', 'user_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scores').execute();
}
