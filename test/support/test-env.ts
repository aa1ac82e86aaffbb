/** Settings shared by the global setup and every e2e spec of one test run. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export function baseDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function redisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** The per-run database, named by the global setup. */
export function runDatabaseUrl(): string {
  const url = process.env.FAULTLINE_TEST_DATABASE_URL;
  if (!url)
    throw new Error(
      'FAULTLINE_TEST_DATABASE_URL is not set: run e2e specs through jest (global setup)',
    );
  return url;
}

export function runId(): string {
  const id = process.env.FAULTLINE_TEST_RUN_ID;
  if (!id)
    throw new Error('FAULTLINE_TEST_RUN_ID is not set: run e2e specs through jest (global setup)');
  return id;
}
