import type { exercises as contracts } from '@codeyard/contracts';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { ExercisesDatabase, ExercisesTable } from './schema.js';

export interface ExerciseRecord {
  id: number;
  title: string;
  body: string;
  language: contracts.Language;
  difficulty: contracts.Difficulty;
  entrypoint: string;
  starterCode: string;
  examples: contracts.TestCase[];
  tests: contracts.TestCase[];
  solution: string;
  createdAt: string;
  updatedAt: string;
}

export type ExerciseFields = Omit<ExerciseRecord, 'id' | 'createdAt' | 'updatedAt'>;

export interface ExerciseFilter {
  language?: contracts.Language | undefined;
  difficulty?: contracts.Difficulty | undefined;
  afterId?: number | undefined;
  limit: number;
}

const toRecord = (row: Selectable<ExercisesTable>): ExerciseRecord => ({
  id: row.id,
  title: row.title,
  body: row.body,
  language: row.language as contracts.Language,
  difficulty: row.difficulty as contracts.Difficulty,
  entrypoint: row.entrypoint,
  starterCode: row.starter_code,
  examples: JSON.parse(row.examples) as contracts.TestCase[],
  tests: JSON.parse(row.tests) as contracts.TestCase[],
  solution: row.solution,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toColumns = (fields: ExerciseFields) => ({
  title: fields.title,
  body: fields.body,
  language: fields.language,
  difficulty: fields.difficulty,
  entrypoint: fields.entrypoint,
  starter_code: fields.starterCode,
  examples: JSON.stringify(fields.examples),
  tests: JSON.stringify(fields.tests),
  solution: fields.solution,
});

export type ExercisesDb = Kysely<ExercisesDatabase>;

export function createExercisesRepo(db: ExercisesDb) {
  return {
    async insert(fields: ExerciseFields, trx: ExercisesDb = db): Promise<ExerciseRecord> {
      const now = new Date().toISOString();
      const row = await trx
        .insertInto('exercises')
        .values({ ...toColumns(fields), created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async findById(id: number, trx: ExercisesDb = db): Promise<ExerciseRecord | undefined> {
      const row = await trx.selectFrom('exercises').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },

    async findByTitle(title: string, trx: ExercisesDb = db): Promise<ExerciseRecord | undefined> {
      const row = await trx.selectFrom('exercises').selectAll().where(sql`lower(title)`, '=', title.toLowerCase()).executeTakeFirst();
      return row && toRecord(row);
    },

    /** In course order (the order they were added: the seed goes easy → hard); `afterId` is the cursor. */
    async list(filter: ExerciseFilter) {
      let query = db.selectFrom('exercises').selectAll().orderBy('id', 'asc').limit(filter.limit);
      if (filter.language !== undefined) query = query.where('language', '=', filter.language);
      if (filter.difficulty !== undefined) query = query.where('difficulty', '=', filter.difficulty);
      if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
      return (await query.execute()).map(toRecord);
    },

    async update(id: number, fields: ExerciseFields, trx: ExercisesDb = db): Promise<ExerciseRecord | undefined> {
      const row = await trx
        .updateTable('exercises')
        .set({ ...toColumns(fields), updated_at: new Date().toISOString() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async delete(id: number, trx: ExercisesDb = db): Promise<boolean> {
      const result = await trx.deleteFrom('exercises').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type ExercisesRepo = ReturnType<typeof createExercisesRepo>;
