import { withIdColumn } from '@codeyard/service-kit';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await withIdColumn(db, db.schema.createTable('submissions'))
    .addColumn('exercise_id', 'integer', (col) => col.notNull().references('exercises.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (col) => col.notNull())
    .addColumn('code', 'text', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('passed', 'integer', (col) => col.notNull())
    .addColumn('total', 'integer', (col) => col.notNull())
    /** JSON text: the sandbox's results, hidden tests' values included (only admins see those). */
    .addColumn('results', 'text', (col) => col.notNull())
    .addColumn('stdout', 'text', (col) => col.notNull())
    .addColumn('duration_ms', 'integer', (col) => col.notNull())
    /** How many of the results were public examples when this was graded (the exercise may change later). */
    .addColumn('example_count', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('submissions_exercise_user').on('submissions').columns(['exercise_id', 'user_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('submissions').execute();
}
