import {
  createPartitionSql,
  DAY_MS,
  dayOf,
  partitionName,
  StorageMaintenance,
} from '@faultline/ingest';
import { ApiTokenEntity, dataSourceOptions, withDataSource } from '@faultline/platform';

import { type Stack, startStack } from './support/stack';

describe('storage: partitions, retention, schema', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  const partitions = async () =>
    (
      await stack.sql<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'reports'`,
      )
    ).map((r) => r.name);

  it('keeps a daily partition for the whole retention window and drops older ones whole', async () => {
    const now = Date.now();
    const expiredDay = dayOf(now - 10 * DAY_MS);
    await stack.sql(createPartitionSql(expiredDay));
    await stack.sql(
      `INSERT INTO reports (service, instance, observed_at, received_at, status, body) VALUES ('old', 'old', $1, $1, 'pass', '{}')`,
      [new Date(expiredDay + 3_600_000).toISOString()],
    );
    expect(await partitions()).toContain(partitionName(expiredDay));

    // The worker's scheduled pass may get there first; either way the expired day is gone after one.
    await stack.worker!.get(StorageMaintenance).maintain(now);
    const names = await partitions();
    expect(names).not.toContain(partitionName(expiredDay));
    for (
      let d = dayOf(now - stack.config.RETENTION_DAYS * DAY_MS);
      d <= dayOf(now + DAY_MS);
      d += DAY_MS
    )
      expect(names).toContain(partitionName(d));
    expect(await stack.sql(`SELECT 1 FROM reports WHERE service = 'old'`)).toHaveLength(0);
  });

  it('has no drift between the TypeORM entities and the migrated schema', async () => {
    const pending = await withDataSource(
      dataSourceOptions(stack.config, [ApiTokenEntity]),
      async (ds) => (await ds.driver.createSchemaBuilder().log()).upQueries,
    );
    expect(pending.map((q) => q.query)).toEqual([]);
  });
});
