import { z } from 'zod';
import { idListParam, idParam, idValue } from './common.js';

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

/** A tally in a batch: with `my_vote` when the caller is signed in. */
export const tallyWithMyVote = tally.extend({ my_vote: direction.optional() }).meta({ id: 'VoteTallyWithMyVote' });
export type TallyWithMyVote = z.infer<typeof tallyWithMyVote>;

export const talliesQuery = z.object({ post_ids: idListParam });

export const rankBody = z.object({
  post_ids: z.array(idValue, { error: 'must be an array of post ids' }).max(1000, 'must hold at most 1000 post ids'),
});
