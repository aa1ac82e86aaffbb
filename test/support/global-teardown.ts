import IORedis from 'ioredis';
import { Client } from 'pg';

import { baseDatabaseUrl, redisUrl } from './test-env';

/** Drops the run's database and its queue keys, so runs leave nothing behind. */
export default async function globalTeardown(): Promise<void> {
  const runId = process.env.FAULTLINE_TEST_RUN_ID;
  if (!runId) return;
  const client = new Client({ connectionString: baseDatabaseUrl() });
  await client.connect();
  const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
    `faultline_test_${runId}%`,
  ]);
  for (const { datname } of rows)
    await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await client.end();
  const redis = new IORedis(redisUrl());
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `t${runId}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}
