import { z } from 'zod';

/** The largest id a row can have (ids are 32-bit integers on both databases). */
export const MAX_ID = 2_147_483_647;

/**
 * Positive integer id in a path or query, written plainly: "abc", "0", "1.5", "1e3", "0x10",
 * "01" and anything above MAX_ID are 400s.
 */
export const idParam = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer')
  .transform(Number)
  .refine((id) => id <= MAX_ID, 'must be a positive integer')
  .meta({ type: 'integer', minimum: 1, maximum: MAX_ID });

export const idParams = z.object({ id: idParam });

export const timestamp = z.string().meta({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' });

export const messageResponse = z.object({ message: z.string() });
