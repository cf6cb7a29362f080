import { idValue } from '@codeyard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { badRequest } from './errors.js';

/** `limit` (1–100, default 25) as every list endpoint takes it. */
export const limitSchema = z
  .string()
  .regex(/^[0-9]{1,3}$/, 'must be an integer from 1 to 100')
  .transform(Number)
  .refine((limit) => limit >= 1 && limit <= 100, 'must be an integer from 1 to 100')
  .default(25)
  .meta({ type: 'integer', minimum: 1, maximum: 100, default: 25 });

export const cursorSchema = z.string().min(1).max(200).optional();

export const pageQuerySchema = z.object({ limit: limitSchema, before: cursorSchema });

/** Cursors are opaque to clients: base64url of a small JSON value. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  let parsed: unknown;
  try {
    const bytes = Buffer.from(cursor, 'base64url');
    // Base64 decoding skips what it cannot use (stray characters, trailing bits): only a cursor
    // that encodes back to itself is one we produced.
    if (bytes.toString('base64url') !== cursor) throw new Error('not canonical base64url');
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw badRequest('Malformed cursor', { before: 'is not a cursor this API produced' });
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw badRequest('Malformed cursor', { before: 'is not a cursor this API produced' });
  return result.data;
}

/** A cursor of `{id}` for lists ordered by descending id. */
export const idCursor = z.object({ id: idValue });

/**
 * Sets `Link: <…>; rel="next"` for the next page. The URL is the public one: the gateway tells us
 * its prefix in `x-forwarded-prefix` (e.g. `/api/v1`).
 */
export function setNextLink(request: FastifyRequest, reply: FastifyReply, nextCursor: string | undefined) {
  if (!nextCursor) return;
  const url = new URL(request.url, 'http://internal');
  url.searchParams.set('before', nextCursor);
  const prefixHeader = request.headers['x-forwarded-prefix'];
  const prefix = typeof prefixHeader === 'string' && /^\/[\w\-/]*$/.test(prefixHeader) ? prefixHeader.replace(/\/$/, '') : '';
  reply.header('link', `<${prefix}${url.pathname}${url.search}>; rel="next"`);
}

/** Takes `limit + 1` rows, returns `limit` of them and the cursor for the next page if any. */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (last: T) => unknown): { items: T[]; next?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1] as T;
  return { items, next: encodeCursor(cursorOf(last)) };
}
