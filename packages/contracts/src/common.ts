import { z } from 'zod';

/**
 * The largest id a row can have. Ids are 32-bit integers on Postgres (`serial`/`integer`), so
 * every id a client sends — in a path, a query, a body or a cursor — is checked against this
 * bound; a larger one would make Postgres fail the compare instead of finding nothing.
 */
export const MAX_ID = 2_147_483_647;

const ID_MESSAGE = 'must be a positive integer';
const ID_DIGITS = '[1-9][0-9]{0,9}';

/**
 * Positive integer id in a path or query, written plainly: "abc", "0", "1.5", "1e3", "0x10",
 * "01" and anything above MAX_ID are 400s.
 */
export const idParam = z
  .string()
  .regex(new RegExp(`^${ID_DIGITS}$`), ID_MESSAGE)
  .transform(Number)
  .refine((id) => id <= MAX_ID, ID_MESSAGE)
  .meta({ type: 'integer', minimum: 1, maximum: MAX_ID });

/** Positive integer id in a JSON body: a number (not a numeric string), at most MAX_ID. */
export const idValue = z.number({ error: ID_MESSAGE }).int(ID_MESSAGE).min(1, ID_MESSAGE).max(MAX_ID, ID_MESSAGE);

export const idParams = z.object({ id: idParam });

/** The most ids a batch lookup (`?ids=1,2,3`) takes. */
export const MAX_BATCH_IDS = 100;

/**
 * A comma-separated list of 1–100 ids in a query (`?ids=3,1,2`), each as `idParam` takes it.
 * Parsed to the distinct ids in the order given.
 */
export const idListParam = z
  .string()
  .max(MAX_BATCH_IDS * 11, `must be at most ${MAX_BATCH_IDS} comma-separated ids`)
  .regex(new RegExp(`^${ID_DIGITS}(,${ID_DIGITS})*$`), 'must be comma-separated positive integers')
  .transform((value) => [...new Set(value.split(',').map(Number))])
  .refine((ids) => ids.length <= MAX_BATCH_IDS, `must be at most ${MAX_BATCH_IDS} ids`)
  .refine((ids) => ids.every((id) => id <= MAX_ID), `must be comma-separated positive integers up to ${MAX_ID}`)
  .meta({
    type: 'string',
    pattern: `^${ID_DIGITS}(,${ID_DIGITS})*$`,
    description: `1 to ${MAX_BATCH_IDS} comma-separated ids, e.g. \`3,1,2\``,
    example: '3,1,2',
  });

export const timestamp = z.string().meta({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' });

export const messageResponse = z.object({ message: z.string() });
