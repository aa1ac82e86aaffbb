import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { JobProducer } from '../queue/job-producer.service';

type CheckStatus = 'pass' | 'warn' | 'fail';

/** One entry of the `checks` map of an application/health+json response. */
export interface HealthCheckEntry {
  componentType: string;
  componentId?: string;
  status: CheckStatus;
  observedValue?: number | string;
  observedUnit?: string;
  output?: string;
  time: string;
}

export interface HealthResponse {
  status: CheckStatus;
  description?: string;
  output?: string;
  checks?: Record<string, HealthCheckEntry[]>;
}

const PROBE_TIMEOUT_MS = 2000;

/** A feature's own readiness detail (e.g. failing notification channels): warnings, never a failure of the app. */
export interface ReadinessContributor {
  checks(): Promise<Record<string, HealthCheckEntry[]>>;
}
export const READINESS_CONTRIBUTOR = Symbol('READINESS_CONTRIBUTOR');

/**
 * Readiness in the IETF health+json style: Postgres and Redis each probed with a timeout;
 * "fail" names the one that is down. Redis without AOF is a "warn": reports acknowledged
 * with 202 live in Redis until the worker stores them, and would not survive its restart.
 */
@Injectable()
export class ReadinessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly producer: JobProducer,
    @Optional() @Inject(READINESS_CONTRIBUTOR) private readonly contributor?: ReadinessContributor,
  ) {}

  async check(): Promise<HealthResponse> {
    const [postgres, redis, persistence] = await Promise.all([
      this.probe('datastore', () => this.dataSource.query('SELECT 1')),
      this.probe('datastore', () => this.producer.connection.ping()),
      this.redisPersistence(),
    ]);
    const checks: Record<string, HealthCheckEntry[]> = {
      'postgres:connection': [postgres],
      'redis:connection': [redis],
      'redis:persistence': [persistence],
    };
    const down = Object.entries(checks)
      .filter(([, [c]]) => c.status === 'fail')
      .map(([k]) => k.split(':')[0]);
    // Feature detail needs Postgres; while it is down, that is all there is to say.
    if (this.contributor && down.length === 0) {
      const extra = await this.contributor.checks().catch((e: Error) => ({
        'features:detail': [
          {
            componentType: 'component',
            status: 'warn' as const,
            output: e.message,
            time: new Date().toISOString(),
          },
        ],
      }));
      Object.assign(checks, extra);
    }
    const warned = Object.values(checks).some((entries) =>
      entries.some((c) => c.status === 'warn'),
    );
    const status: CheckStatus = down.length ? 'fail' : warned ? 'warn' : 'pass';
    return {
      status,
      description: 'faultline',
      output: down.length ? `unavailable: ${down.join(', ')}` : undefined,
      checks,
    };
  }

  private async probe(
    componentType: string,
    fn: () => Promise<unknown>,
  ): Promise<HealthCheckEntry> {
    const started = Date.now();
    try {
      await withTimeout(fn(), PROBE_TIMEOUT_MS);
      return {
        componentType,
        status: 'pass',
        observedValue: Date.now() - started,
        observedUnit: 'ms',
        time: new Date().toISOString(),
      };
    } catch (e) {
      return {
        componentType,
        status: 'fail',
        output: (e as Error).message,
        time: new Date().toISOString(),
      };
    }
  }

  private async redisPersistence(): Promise<HealthCheckEntry> {
    const time = new Date().toISOString();
    try {
      const reply = (await withTimeout(
        this.producer.connection.config('GET', 'appendonly'),
        PROBE_TIMEOUT_MS,
      )) as string[];
      const aof = reply[1] === 'yes';
      return aof
        ? { componentType: 'datastore', status: 'pass', observedValue: 'appendonly yes', time }
        : {
            componentType: 'datastore',
            status: 'warn',
            observedValue: 'appendonly no',
            output:
              'Redis has no AOF: accepted reports still queued would not survive a Redis restart',
            time,
          };
    } catch (e) {
      // CONFIG may be disabled on managed Redis; unknown is not a failure.
      return {
        componentType: 'datastore',
        status: 'warn',
        output: `persistence unknown: ${(e as Error).message}`,
        time,
      };
    }
  }
}

/**
 * What /readyz tells anyone: the overall status, which dependency is down, and the status of
 * Postgres and Redis, with no reasons. Error texts (addresses, driver messages), latencies and
 * every feature's detail (notification channel names, their last errors) are for read tokens.
 */
export function publicHealth(health: HealthResponse): HealthResponse {
  const checks: Record<string, HealthCheckEntry[]> = {};
  for (const key of PUBLIC_CHECKS) {
    const entries = health.checks?.[key];
    if (entries)
      checks[key] = entries.map((c) => ({
        componentType: c.componentType,
        status: c.status,
        time: c.time,
      }));
  }
  return {
    status: health.status,
    description: health.description,
    output: health.output,
    checks,
  };
}
const PUBLIC_CHECKS = ['postgres:connection', 'redis:connection', 'redis:persistence'];

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}
