import { z } from 'zod';

/** Positive integer id in a path or query, written plainly: "abc", "0", "1.5", "1e3", "01" are 400s. */
export const idParam = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'must be a positive integer')
  .transform(Number)
  .refine(Number.isSafeInteger, 'must be a positive integer')
  .meta({ type: 'integer', minimum: 1 });

export const idParams = z.object({ id: idParam });

export const timestamp = z.string().meta({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' });

export const messageResponse = z.object({ message: z.string() });
