import { z } from 'zod';
import { timestamp } from './common.js';

export const content = z
  .string({ error: 'must be a string' })
  .min(1, 'must be 1 to 10000 characters')
  .max(10_000, 'must be 1 to 10000 characters');

/** `to` is a username (3–32 of `[A-Za-z0-9_-]`, as users defines it). */
export const sendMessageBody = z.object({
  to: z
    .string({ error: 'must be a username' })
    .min(3, 'must be a username of 3 to 32 characters')
    .max(32, 'must be a username of 3 to 32 characters')
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a username (letters, digits, _ and -)'),
  content,
});
export type SendMessageBody = z.infer<typeof sendMessageBody>;

/** `favorite` is the viewer's own flag: sender and recipient each have theirs. */
export const message = z
  .object({
    id: z.number().int(),
    from: z.string(),
    to: z.string(),
    content: z.string(),
    favorite: z.boolean(),
    created_at: timestamp,
  })
  .meta({ id: 'Message' });
export type Message = z.infer<typeof message>;

export const box = z.enum(['inbox', 'sent'], { error: 'must be "inbox" or "sent"' });
export type Box = z.infer<typeof box>;
