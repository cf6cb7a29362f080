import { inject } from 'vitest';
import { adminLogin, launchSystem, type SystemInfo } from './launch.js';

export { builtServices, type SystemInfo } from './launch.js';

export interface System extends SystemInfo {
  /** A fresh access token of the bootstrap admin. */
  adminToken: string;
  stop(): Promise<void>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    codeyard: SystemInfo;
  }
}

/**
 * The system for an e2e test file: the one the e2e global setup started (shared, stopped at the
 * end of the run), or a new one when `env` asks for a differently configured system.
 */
export async function startSystem(options: { env?: Record<string, string> } = {}): Promise<System> {
  const shared = options.env ? undefined : inject('codeyard');
  if (shared) return { ...shared, adminToken: await adminLogin(shared), stop: async () => {} };
  const own = await launchSystem(options);
  try {
    return { ...own, adminToken: await adminLogin(own) };
  } catch (error) {
    await own.stop();
    throw error;
  }
}
