import { type ServiceClient, serviceUnavailable } from '@codeyard/service-kit';
import { z } from 'zod';

const usersAnswer = z.array(z.object({ id: z.number().int(), username: z.string(), active: z.boolean() }));

export type RecipientCheck =
  | { status: 'active'; id: number; username: string }
  | { status: 'deactivated'; username: string }
  | { status: 'unknown' };

/** Asks users whether a username belongs to an account that can receive messages. */
export function createRecipientDirectory(options: { client: ServiceClient; timeoutMs: number }) {
  const { client, timeoutMs } = options;
  return {
    async check(username: string, requestId: string | undefined): Promise<RecipientCheck> {
      const response = await client('GET', `/users?username=${encodeURIComponent(username)}&limit=1`, { requestId, timeoutMs });
      const parsed = response.status === 200 ? usersAnswer.safeParse(response.body) : undefined;
      if (!parsed?.success) throw serviceUnavailable('Cannot check the recipient right now: the users service did not answer as expected');
      const match = parsed.data.find((user) => user.username.toLowerCase() === username.toLowerCase());
      if (!match) return { status: 'unknown' };
      return match.active
        ? { status: 'active', id: match.id, username: match.username }
        : { status: 'deactivated', username: match.username };
    },
  };
}

export type RecipientDirectory = ReturnType<typeof createRecipientDirectory>;
