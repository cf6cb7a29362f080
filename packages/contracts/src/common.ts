import { z } from 'zod';

/** Positive integer id in a path, e.g. `/users/{id}`; "abc", "0", "1.5" are 400s. */
export const idParam = z.coerce
  .number({ error: 'must be a positive integer' })
  .int('must be a positive integer')
  .positive('must be a positive integer')
  .max(Number.MAX_SAFE_INTEGER, 'must be a positive integer');

export const idParams = z.object({ id: idParam });

export const timestamp = z.string().meta({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' });

export const messageResponse = z.object({ message: z.string() });
