import { migrations } from '@faultline/migrations';
import { Client } from 'pg';

import type { FaultlineConfig } from '../config/config.schema';
import { databaseFailure } from '../observability/startup';
import { dataSourceOptions, withDataSource } from './data-source';

// Any fixed number: every Faultline process that migrates takes this lock first, so
// replicas starting together run the migrations once, one after another.
const MIGRATION_LOCK = 4_823_917_001;

// A Postgres that does not answer (a firewall dropping packets) fails the start within this, not minutes.
const CONNECT_TIMEOUT_MS = 10_000;

/** What one migration step did, for the start-up line. */
export interface MigrationOutcome {
  /** The database's name (from DATABASE_URL). */
  database: string;
  /** Where it lives, `host:port`. */
  server: string;
  /** Whether this step created the database. */
  created: boolean;
  /** Names of the migrations applied now, in order. */
  applied: string[];
  /** How many migrations the code base has (all applied once this returns). */
  known: number;
}

function parseDatabaseUrl(databaseUrl: string): { name: string; server: string } {
  const url = new URL(databaseUrl);
  return {
    name: decodeURIComponent(url.pathname.slice(1)),
    server: `${url.hostname}:${url.port || 5432}`,
  };
}

/** Creates the database named by DATABASE_URL when it does not exist yet; true when this call created it. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const { name } = parseDatabaseUrl(databaseUrl);
  url.pathname = '/postgres';
  const client = new Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  client.on('error', () => undefined); // a connection lost later is reported by the query
  try {
    await client.connect();
  } catch (e) {
    throw databaseFailure(e, databaseUrl);
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount !== 0) return false;
    return await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).then(
      () => true,
      (e: { code?: string }) => {
        if (e.code !== '42P04') throw databaseFailure(e, databaseUrl);
        return false; // created meanwhile by another process
      },
    );
  } finally {
    await client.end();
  }
}

/**
 * Creates the database if needed and runs pending migrations under an advisory lock; says what
 * it did. A Postgres out of reach is a StartupError naming DATABASE_URL.
 */
export async function migrateDatabase(
  config: Pick<FaultlineConfig, 'DATABASE_URL'>,
): Promise<MigrationOutcome> {
  const { name, server } = parseDatabaseUrl(config.DATABASE_URL);
  const created = await ensureDatabase(config.DATABASE_URL);
  const applied = await withDataSource(dataSourceOptions(config), async (ds) => {
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      const done = await ds.runMigrations({ transaction: 'each' });
      return done.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      await runner.release();
    }
  }).catch((e: unknown) => {
    throw databaseFailure(e, config.DATABASE_URL);
  });
  return { database: name, server, created, applied, known: migrations.length };
}

/** Creates the database if needed and runs pending migrations under an advisory lock. Returns their names. */
export async function migrate(config: Pick<FaultlineConfig, 'DATABASE_URL'>): Promise<string[]> {
  return (await migrateDatabase(config)).applied;
}

/** The start-up line of a migration step, e.g. `database "faultline" created on 127.0.0.1:5432; applied 9 migrations`. */
export function describeMigration(o: MigrationOutcome): string {
  const where = o.created
    ? `database "${o.database}" created on ${o.server}`
    : `database "${o.database}" on ${o.server}`;
  if (o.applied.length === 0) return `${where}: schema up to date (${o.known} migrations)`;
  const count = `${o.applied.length} migration${o.applied.length === 1 ? '' : 's'}`;
  const newest = o.applied[o.applied.length - 1];
  return `${where}; applied ${count} (newest ${newest}), schema up to date`;
}

/** Connects once to the database named by DATABASE_URL (MIGRATE_ON_START=false), or throws a StartupError naming it. */
export async function checkDatabase(config: Pick<FaultlineConfig, 'DATABASE_URL'>): Promise<void> {
  const client = new Client({
    connectionString: config.DATABASE_URL,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (e) {
    throw databaseFailure(e, config.DATABASE_URL);
  } finally {
    await client.end().catch(() => undefined);
  }
}
