import { hash, verify } from '@node-rs/argon2';
import type { UsersConfig } from '../config.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** Spends the same time as a real verify, so an unknown user cannot be told apart by timing. */
  verifyDummy(password: string): Promise<void>;
}

/** argon2id (the library's default algorithm), hashed on libuv's thread pool, off the event loop. */
export async function createPasswordHasher(config: UsersConfig): Promise<PasswordHasher> {
  const options = { memoryCost: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST, parallelism: 1 };
  const dummyHash = await hash('codeyard-dummy-password', options);
  return {
    hash: (password) => hash(password, options),
    verify: async (passwordHash, password) => {
      try {
        return await verify(passwordHash, password);
      } catch {
        return false;
      }
    },
    verifyDummy: async (password) => {
      await verify(dummyHash, password).catch(() => false);
    },
  };
}
