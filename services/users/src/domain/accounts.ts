import {
  type Actor,
  AppError,
  badRequest,
  conflict,
  forbidden,
  isAdmin,
  isUniqueViolation,
  notFound,
  requireAdmin,
  requireSelfOrAdmin,
  requireUser,
  unauthorized,
  type UserActor,
} from '@codeyard/service-kit';
import type { users as contracts } from '@codeyard/contracts';
import type { UserRecord, UsersRepo } from '../db/users-repo.js';
import type { SessionsRepo } from '../db/sessions-repo.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './passwords.js';
import type { TokenPair, TokenService } from './tokens.js';

/** The user object of the contract; `email` only for the user themself and admins. */
export function presentUser(user: UserRecord, viewer: Actor | null): contracts.User {
  const canSeeEmail = isAdmin(viewer) || (viewer?.kind === 'user' && viewer.id === user.id);
  return {
    id: user.id,
    username: user.username,
    ...(canSeeEmail && { email: user.email }),
    karma: user.karma,
    active: user.active,
    admin: user.admin,
    created_at: user.createdAt,
  };
}

const WRONG_CREDENTIALS = 'Wrong username, email or password';
/** A deleted user's every token is revoked: no token carries a version this high. */
const DELETED_USER_TOKEN_VERSION = 2_147_483_647;

export function createAccounts(deps: {
  users: UsersRepo;
  sessions: SessionsRepo;
  passwords: PasswordHasher;
  tokens: TokenService;
  loginThrottle: LoginThrottle;
}) {
  const { users, sessions, passwords, tokens, loginThrottle } = deps;

  async function requireUserRecord(id: number): Promise<UserRecord> {
    const user = await users.findById(id);
    if (!user) throw notFound(`User ${id} does not exist`);
    return user;
  }

  /** Finds which unique field a new username/email collides with, for a precise 409. */
  async function assertAvailable(candidate: { username?: string | undefined; email?: string | undefined }, exceptId?: number) {
    const errors: Record<string, string> = {};
    if (candidate.username !== undefined) {
      const owner = await users.findByUsername(candidate.username);
      if (owner && owner.id !== exceptId) errors.username = 'is already taken';
    }
    if (candidate.email !== undefined) {
      const owner = await users.findByEmail(candidate.email);
      if (owner && owner.id !== exceptId) errors.email = 'is already registered';
    }
    const fields = Object.keys(errors);
    if (fields.length > 0) throw conflict(`The ${fields.join(' and ')} ${fields.length > 1 ? 'are' : 'is'} already in use`, errors);
  }

  /** Runs a write; a race lost to a concurrent registration is still a 409, never a 500. */
  async function uniquely<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('The username or email is already in use');
      throw error;
    }
  }

  async function createAccount(input: { username: string; email: string; password: string; admin: boolean }) {
    await assertAvailable(input);
    const passwordHash = await passwords.hash(input.password);
    return uniquely(() => users.insert({ username: input.username, email: input.email, passwordHash, admin: input.admin }));
  }

  return {
    requireUserRecord,

    register: (input: { username: string; email: string; password: string }) => createAccount({ ...input, admin: false }),

    async createUser(actor: Actor | null, input: { username: string; email: string; password: string; admin?: boolean | undefined }) {
      requireAdmin(actor);
      return createAccount({ ...input, admin: input.admin ?? false });
    },

    /**
     * Creates the bootstrap admin unless that email is registered already. Replicas starting
     * together may race; the one that loses finds the admin created and carries on.
     */
    async ensureAdmin(input: { username: string; email: string; password: string }): Promise<UserRecord | undefined> {
      if (await users.findByEmail(input.email)) return undefined;
      try {
        return await createAccount({ ...input, admin: true });
      } catch (error) {
        if (error instanceof AppError && error.statusCode === 409 && (await users.findByEmail(input.email))) return undefined;
        throw error;
      }
    },

    async login(credentials: { email?: string | undefined; username?: string | undefined; password: string }): Promise<TokenPair> {
      const user =
        credentials.email !== undefined
          ? await users.findByEmail(credentials.email)
          : await users.findByUsername(credentials.username ?? '');
      const subject = user ? `user:${user.id}` : `name:${(credentials.email ?? credentials.username ?? '').toLowerCase()}`;
      await loginThrottle.assertAllowed(subject);
      if (!user) {
        await passwords.verifyDummy(credentials.password);
        await loginThrottle.recordFailure(subject);
        throw unauthorized(WRONG_CREDENTIALS);
      }
      if (!(await passwords.verify(user.passwordHash, credentials.password))) {
        await loginThrottle.recordFailure(subject);
        throw unauthorized(WRONG_CREDENTIALS);
      }
      await loginThrottle.clear(subject);
      if (!user.active) throw forbidden('This account is deactivated');
      return tokens.startSession(user);
    },

    refresh: (refreshToken: string) => tokens.rotate(refreshToken),

    /** Signs out the login of the caller's access token. */
    async logout(actor: Actor | null) {
      const user = requireUser(actor);
      if (user.sessionId) await tokens.revokeSession(user.id, user.sessionId);
    },

    /** Signs out the login a refresh token belongs to: holding the token is the proof. */
    logoutRefreshToken: (refreshToken: string) => tokens.revokeByRefreshToken(refreshToken),

    async status(actor: Actor | null): Promise<UserRecord> {
      const user = requireUser(actor);
      return requireUserRecord(user.id);
    },

    /**
     * Called for every request with a user token: a deactivated, deleted or logged-out user's
     * tokens stop working here at once, not when they expire.
     */
    async assertTokenStillValid(actor: UserActor): Promise<void> {
      const user = await users.findById(actor.id);
      if (!user || user.tokenVersion !== actor.tokenVersion) throw unauthorized('This token has been revoked');
      if (!user.active) throw forbidden('This account is deactivated');
      if (actor.sessionId && !(await sessions.isSessionActive(actor.sessionId, actor.id))) {
        throw unauthorized('This login has been signed out');
      }
    },

    list: (filter: { username?: string | undefined; beforeId?: number | undefined; limit: number }) => users.list(filter),

    /** The users with these ids, in the order asked; ids of no user are left out. */
    async listByIds(ids: number[]): Promise<UserRecord[]> {
      const found = new Map((await users.findMany(ids)).map((user) => [user.id, user]));
      return ids.flatMap((id) => found.get(id) ?? []);
    },

    async replace(actor: Actor | null, id: number, input: { username: string; email: string }) {
      requireSelfOrAdmin(actor, id);
      await requireUserRecord(id);
      await assertAvailable(input, id);
      const updated = await uniquely(() => users.update(id, input));
      if (!updated) throw notFound(`User ${id} does not exist`);
      return updated;
    },

    async patch(
      actor: Actor | null,
      id: number,
      input: { username?: string | undefined; email?: string | undefined; password?: string | undefined; current_password?: string | undefined },
    ) {
      const caller = requireSelfOrAdmin(actor, id);
      const target = await requireUserRecord(id);
      await assertAvailable({ username: input.username, email: input.email }, id);
      let passwordHash: string | undefined;
      if (input.password !== undefined) {
        // An admin resetting someone's password needs no old one; everyone else proves they know theirs.
        const needsCurrent = !(caller.admin && caller.id !== id);
        if (needsCurrent) {
          if (input.current_password === undefined) {
            throw badRequest('current_password is required to change the password', { current_password: 'is required' });
          }
          if (!(await passwords.verify(target.passwordHash, input.current_password))) {
            throw new AppError(403, 'current_password is wrong', { errors: { current_password: 'is wrong' } });
          }
        }
        passwordHash = await passwords.hash(input.password);
      }
      const updated = await uniquely(() =>
        users.update(id, {
          username: input.username,
          email: input.email,
          passwordHash,
          // A new password signs out every other login.
          bumpTokenVersion: passwordHash !== undefined,
        }),
      );
      if (!updated) throw notFound(`User ${id} does not exist`);
      if (passwordHash !== undefined) await tokens.revokeAllTokens(id, updated.tokenVersion);
      return updated;
    },

    async remove(actor: Actor | null, id: number) {
      const caller = requireAdmin(actor);
      if (caller.id === id) throw forbidden('Administrators cannot delete their own account');
      if (!(await users.delete(id))) throw notFound(`User ${id} does not exist`);
      await tokens.revokeAllTokens(id, DELETED_USER_TOKEN_VERSION);
    },

    async deactivate(actor: Actor | null, id: number) {
      requireSelfOrAdmin(actor, id);
      await requireUserRecord(id);
      const updated = await users.update(id, { active: false, bumpTokenVersion: true });
      if (!updated) throw notFound(`User ${id} does not exist`);
      await tokens.revokeAllTokens(id, updated.tokenVersion);
      return updated;
    },

    async activate(actor: Actor | null, id: number) {
      requireAdmin(actor);
      await requireUserRecord(id);
      const updated = await users.update(id, { active: true });
      if (!updated) throw notFound(`User ${id} does not exist`);
      return updated;
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
