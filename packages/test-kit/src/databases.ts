import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type DatabaseTargetName = 'sqlite' | 'postgres';

export interface DatabaseEnv {
  /** Env keys to merge into a service's config: a fresh, empty database of this kind. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** SQLite always; PostgreSQL as well when TEST_DATABASE_URL is set (CI sets it). */
export function databaseTargets(): DatabaseTargetName[] {
  return process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

/**
 * A fresh database: a temporary SQLite file, or a new schema in the TEST_DATABASE_URL database
 * (dropped on cleanup), so tests never see each other's rows.
 */
export async function freshDatabase(target: DatabaseTargetName): Promise<DatabaseEnv> {
  if (target === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'codeyard-test-'));
    return {
      env: { DATA_DIR: dir, DATABASE_URL: join(dir, 'test.db') },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'codeyard-test-'));
  return {
    env: { DATA_DIR: dir, DATABASE_URL: url, DATABASE_SCHEMA: schema },
    cleanup: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
