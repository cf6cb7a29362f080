import { z } from 'zod';
import { timestamp } from './common.js';

export const username = z
  .string()
  .min(3, 'must be 3 to 32 characters')
  .max(32, 'must be 3 to 32 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -');

export const email = z.string().max(254, 'must be at most 254 characters').pipe(z.email('must be a valid email address'));

export const password = z.string().min(8, 'must be 8 to 256 characters').max(256, 'must be 8 to 256 characters');

/** `email` is present only for the user themself and for admins. */
export const user = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string().optional(),
    karma: z.number().int(),
    active: z.boolean(),
    admin: z.boolean(),
    created_at: timestamp,
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof user>;

export const registerBody = z.object({ username, email, password });

export const loginBody = z
  .object({
    email: z.string().max(254).optional(),
    username: z.string().max(32).optional(),
    password: z.string().min(1, 'is required').max(256),
  })
  .refine((body) => body.email !== undefined || body.username !== undefined, {
    message: 'email or username is required',
    path: ['email'],
  });

export const tokenPair = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
  })
  .meta({ id: 'TokenPair' });

/** Refresh and logout take the refresh token from the body, or else from the browser cookie. */
export const refreshBody = z.object({ refresh_token: z.string().min(1, 'is required').max(512).optional() }).nullish();
export const logoutBody = refreshBody;

export const createUserBody = z.object({ username, email, password, admin: z.boolean().optional() });
export const replaceUserBody = z.object({ username, email });
export const patchUserBody = z
  .object({
    username: username.optional(),
    email: email.optional(),
    password: password.optional(),
    current_password: z.string().max(256).optional(),
  })
  .refine((b) => b.username !== undefined || b.email !== undefined || b.password !== undefined, {
    message: 'give at least one of username, email, password',
    path: ['body'],
  });

export const karmaBody = z.object({
  delta: z
    .number({ error: 'must be a non-zero integer' })
    .int('must be a non-zero integer')
    .min(-1_000_000)
    .max(1_000_000)
    .refine((d) => d !== 0, 'must be a non-zero integer'),
});
export const karmaResponse = z.object({ id: z.number().int(), karma: z.number().int() });
