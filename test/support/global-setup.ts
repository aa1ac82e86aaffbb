// Global setup runs outside jest's module mapper: resolve the @faultline/* aliases from tsconfig.
import 'tsconfig-paths/register';

import { baseDatabaseUrl } from './test-env';

/** One fresh database per test run, migrated once; specs isolate their queues by prefix. */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const url = new URL(baseDatabaseUrl());
  url.pathname = `/faultline_test_${runId}`;
  process.env.FAULTLINE_TEST_RUN_ID = runId;
  process.env.FAULTLINE_TEST_DATABASE_URL = url.toString();
  const { migrate } = await import('@faultline/platform');
  await migrate({ DATABASE_URL: url.toString() });
}
