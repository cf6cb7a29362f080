// The system a load run drives: a fresh one started from the built code on free ports (SQLite, or
// PostgreSQL when TEST_DATABASE_URL is set, as for the e2e tests), or a running one at --base-url.
import { adminLogin, launchSystem, type SystemInfo } from '../e2e/launch.js';

export interface RunningSystem {
  baseUrl: string;
  description: string;
  adminToken(): Promise<string>;
  stop(): Promise<void>;
}

export async function useSystem(baseUrl: string | undefined, env: Record<string, string> = {}): Promise<RunningSystem> {
  if (baseUrl) {
    const info: SystemInfo = {
      baseUrl: baseUrl.replace(/\/$/, ''),
      adminEmail: process.env.ADMIN_EMAIL ?? 'admin@codeyard.local',
      adminPassword: process.env.ADMIN_PASSWORD ?? '',
    };
    return { baseUrl: info.baseUrl, description: 'running system', adminToken: () => adminLogin(info), stop: async () => {} };
  }
  const system = await launchSystem({ env: { LOG_LEVEL: 'warn', ...env } });
  return {
    baseUrl: system.baseUrl,
    description: `fresh system on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite'}, rate limits raised`,
    adminToken: () => adminLogin(system),
    stop: system.stop,
  };
}
