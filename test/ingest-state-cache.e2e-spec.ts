import { ReportBatchWriter, ReportStoreModule } from '@faultline/ingest';
import {
  ConfigModule,
  dataSourceOptions,
  type FaultlineConfig,
  MetricsModule,
} from '@faultline/platform';
import { type Report, ReportValidator } from '@faultline/reports';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';

import { testConfig, uniqueName } from './support/stack';

/**
 * Each worker remembers the state it committed and reads back only the rows' state_version
 * (StateCache). These two writers are two workers: each has its own memory and its own pool, so
 * whenever one writes an instance after the other, its memory is stale and must not be used.
 */
describe('ingest state memory across workers (real Postgres)', () => {
  let config: FaultlineConfig;
  const modules: TestingModule[] = [];
  let a: ReportBatchWriter;
  let b: ReportBatchWriter;
  let db: Client;
  const validator = new ReportValidator();
  const base = Date.now() - 30 * 60_000;

  const startWriter = async () => {
    const module = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config)),
        MetricsModule,
        ReportStoreModule,
      ],
    }).compile();
    await module.init();
    modules.push(module);
    return module.get(ReportBatchWriter);
  };

  beforeAll(async () => {
    config = testConfig();
    a = await startWriter();
    b = await startWriter();
    db = new Client({ connectionString: config.DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    for (const m of modules) await m.close();
  });

  const report = (service: string, second: number, status: 'pass' | 'fail'): Report => {
    const result = validator.validate(
      {
        service,
        instance: `${service}-1`,
        host: `${service}-host`,
        observedAt: new Date(base + second * 1000).toISOString(),
        checks: [{ name: 'db', target: 'mysql://db-cache-spec:3306', status }],
      },
      { now: Date.now(), retentionMs: 86_400_000 },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.reports[0];
  };
  const transitions = async (service: string) =>
    (
      await db.query<{ from_status: string | null; to_status: string; s: number }>(
        `SELECT from_status, to_status, round(extract(epoch FROM observed_at) - $2)::int AS s
         FROM check_transitions WHERE service = $1 ORDER BY observed_at`,
        [service, base / 1000],
      )
    ).rows;
  const checkState = async (service: string) =>
    (
      await db.query<{ status: string; since: number }>(
        `SELECT status, round(extract(epoch FROM since) - $2)::int AS since FROM check_states WHERE service = $1`,
        [service, base / 1000],
      )
    ).rows;

  it('sees what the other worker wrote in between, whatever it remembers', async () => {
    const service = uniqueName('cache');
    await a.write([report(service, 10, 'fail')]);
    await a.write([report(service, 20, 'fail')]); // a now remembers "fail since 10"
    await b.write([report(service, 30, 'pass')]);
    await a.write([report(service, 40, 'pass')]); // stale memory would see fail → pass here
    await b.write([report(service, 50, 'pass')]); // b remembers pass since 30, but a wrote since
    await a.write([report(service, 60, 'fail')]);

    expect(await transitions(service)).toEqual([
      { from_status: null, to_status: 'fail', s: 10 },
      { from_status: 'fail', to_status: 'pass', s: 30 },
      { from_status: 'pass', to_status: 'fail', s: 60 },
    ]);
    expect(await checkState(service)).toEqual([{ status: 'fail', since: 60 }]);
    const [instance] = (
      await db.query<{ s: number; interval_ms: number }>(
        `SELECT round(extract(epoch FROM last_seen_at) - $2)::int AS s, interval_ms FROM instances WHERE service = $1`,
        [service, base / 1000],
      )
    ).rows;
    expect(instance).toEqual({ s: 60, interval_ms: expect.any(Number) });
    expect(instance.interval_ms).toBeGreaterThanOrEqual(9_000);
  });

  it('replays a late report written by the other worker, and both go on from the replayed state', async () => {
    const service = uniqueName('late');
    await a.write([report(service, 10, 'pass'), report(service, 30, 'pass')]);
    // Late, through the other worker: between the two, the check failed.
    await b.write([report(service, 20, 'fail')]);
    await a.write([report(service, 40, 'pass')]);
    await b.write([report(service, 50, 'fail')]);

    expect(await transitions(service)).toEqual([
      { from_status: null, to_status: 'pass', s: 10 },
      { from_status: 'pass', to_status: 'fail', s: 20 },
      { from_status: 'fail', to_status: 'pass', s: 30 },
      { from_status: 'pass', to_status: 'fail', s: 50 },
    ]);
    expect(await checkState(service)).toEqual([{ status: 'fail', since: 50 }]);
  });

  it('a retried batch after its commit changes nothing, with memory or without', async () => {
    const service = uniqueName('retry');
    const batch = [report(service, 10, 'fail'), report(service, 20, 'pass')];
    await a.write(batch);
    const again = await a.write(batch);
    const elsewhere = await b.write(batch);
    expect(again.outcome).toMatchObject({ stored: 0, duplicates: 2, transitions: 0 });
    expect(elsewhere.outcome).toMatchObject({ stored: 0, duplicates: 2, transitions: 0 });
    expect(await transitions(service)).toHaveLength(2);
  });
});
