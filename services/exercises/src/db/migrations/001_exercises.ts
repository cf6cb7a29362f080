import { withIdColumn } from '@codeyard/service-kit';
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await withIdColumn(db, db.schema.createTable('exercises'))
    .addColumn('title', 'varchar(200)', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('language', 'varchar(16)', (col) => col.notNull())
    .addColumn('entrypoint', 'varchar(64)', (col) => col.notNull())
    .addColumn('starter_code', 'text', (col) => col.notNull())
    /** JSON text: [{args, expected}] */
    .addColumn('examples', 'text', (col) => col.notNull())
    .addColumn('tests', 'text', (col) => col.notNull())
    .addColumn('solution', 'text', (col) => col.notNull())
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(30)', (col) => col.notNull())
    .execute();
  // Titles are unique case-insensitively: the seed (and admins) find exercises by title.
  await sql`create unique index exercises_title_lower on exercises (lower(title))`.execute(db);
  await db.schema.createIndex('exercises_language').on('exercises').columns(['language', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('exercises').execute();
}
