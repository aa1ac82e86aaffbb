import { migrations } from '@faultline/migrations';
import { DataSource, type DataSourceOptions } from 'typeorm';

import type { FaultlineConfig } from '../config/config.schema';

/** Connection options shared by the apps, the migration step and the tests. */
export function dataSourceOptions(
  config: Pick<FaultlineConfig, 'DATABASE_URL'>,
  entities: DataSourceOptions['entities'] = [],
): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    // Queue jobs wait for a free connection rather than fail while Postgres is busy.
    extra: { max: 10, connectionTimeoutMillis: 10_000 },
  };
}

/** A short-lived DataSource for one administrative task. */
export async function withDataSource<T>(
  options: DataSourceOptions,
  fn: (ds: DataSource) => Promise<T>,
): Promise<T> {
  const ds = await new DataSource(options).initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}
