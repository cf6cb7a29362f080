/** A fixed service secret for tests (never used outside them). */
export const TEST_SERVICE_SECRET = 'test-service-secret-0123456789-abcdefghijklmnop';

/** Base env for a service under test: quiet logs, test mode, cheap password hashing. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SERVICE_SECRET: TEST_SERVICE_SECRET,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ...overrides,
  };
}
