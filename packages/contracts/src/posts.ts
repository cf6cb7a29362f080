import { z } from 'zod';
import { timestamp } from './common.js';

/** A community's name: 3–32 of `[a-z0-9_]`; a community exists once its first post is made. */
export const communityName = z
  .string({ error: 'must be a string' })
  .min(3, 'must be 3 to 32 characters')
  .max(32, 'must be 3 to 32 characters')
  .regex(/^[a-z0-9_]+$/, 'may contain only lower-case letters, digits and _');

export const title = z
  .string({ error: 'must be a string' })
  .min(1, 'must be 1 to 300 characters')
  .max(300, 'must be 1 to 300 characters')
  .refine((value) => value.trim().length > 0, 'must not be blank');

export const text = z.string({ error: 'must be a string' }).max(40_000, 'must be at most 40000 characters');

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const url = z
  .string({ error: 'must be a string' })
  .max(2000, 'must be at most 2000 characters')
  .refine(isHttpUrl, 'must be an http(s) URL');

export const createPostBody = z.object({ title, text, community: communityName, url: url.nullish() });
export type CreatePostBody = z.infer<typeof createPostBody>;

export const post = z
  .object({
    id: z.number().int(),
    title: z.string(),
    text: z.string(),
    url: z.string().nullable(),
    community: z.string(),
    username: z.string(),
    user_id: z.number().int(),
    created_at: timestamp,
  })
  .meta({ id: 'Post' });
export type Post = z.infer<typeof post>;

/** A post in a list: no `text`, no `url`. */
export const postSummary = post.omit({ text: true, url: true }).meta({ id: 'PostSummary' });
export type PostSummary = z.infer<typeof postSummary>;

export const community = z.object({ name: z.string(), posts: z.number().int(), created_at: timestamp }).meta({ id: 'Community' });
export type Community = z.infer<typeof community>;

export const communityParams = z.object({ name: communityName });
