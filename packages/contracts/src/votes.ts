import { z } from 'zod';
import { idParam } from './common.js';

export const direction = z.enum(['up', 'down', 'none'], { error: 'must be "up", "down" or "none"' });
export type Direction = z.infer<typeof direction>;

export const postIdParams = z.object({ post_id: idParam });

export const castVoteBody = z.object({ direction });

export const tally = z
  .object({
    post_id: z.number().int(),
    upvotes: z.number().int(),
    downvotes: z.number().int(),
    score: z.number().int(),
  })
  .meta({ id: 'VoteTally' });
export type Tally = z.infer<typeof tally>;

/** The tally after the caller's vote, with the caller's vote. */
export const myVote = tally.extend({ my_vote: direction }).meta({ id: 'MyVote' });
export type MyVote = z.infer<typeof myVote>;

/** A post id in a JSON body: a positive integer (not a string). */
const postId = z
  .number({ error: 'must be a positive integer' })
  .int('must be a positive integer')
  .positive('must be a positive integer')
  .max(Number.MAX_SAFE_INTEGER, 'must be a positive integer');

export const rankBody = z.object({
  post_ids: z.array(postId, { error: 'must be an array of post ids' }).max(1000, 'must hold at most 1000 post ids'),
});
