import type { ProcessedKeysTable } from '@codeyard/service-kit';
import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string;
  password_hash: string;
  karma: Generated<number>;
  /** 0/1 on both databases */
  active: Generated<number>;
  admin: Generated<number>;
  token_version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  created_at: string;
  revoked_at: string | null;
}

export interface RefreshTokensTable {
  id: Generated<number>;
  session_id: string;
  token_hash: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface LoginFailuresTable {
  /** `user:<id>` for an account, `name:<lower-cased email or username>` for an unknown one */
  subject: string;
  failures: number;
  window_started_at: string;
}

export interface RevocationsTable {
  id: Generated<number>;
  user_id: number;
  /** A signed-out login: its tokens are refused. */
  session_id: string | null;
  /** Every token of the user with a lower token version is refused. */
  min_token_version: number | null;
  created_at: string;
}

export interface UsersDatabase {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  processed_keys: ProcessedKeysTable;
  login_failures: LoginFailuresTable;
  revocations: RevocationsTable;
}
