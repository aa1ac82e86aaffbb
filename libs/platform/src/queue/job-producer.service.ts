import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { Gauge, Registry } from 'prom-client';

import { InjectConfig } from '../config/config.module';
import type { FaultlineConfig } from '../config/config.schema';
import {
  type JobName,
  type JobPayloads,
  jobPolicies,
  type JobPolicy,
  QueueName,
} from './queue.types';
import { createRedis } from './redis';

/** Adds jobs to their queues with the policy declared for their name. */
@Injectable()
export class JobProducer implements OnModuleDestroy {
  private readonly logger = new Logger(JobProducer.name);
  readonly connection: IORedis;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly policies: Record<JobName, JobPolicy>;

  constructor(@InjectConfig() config: FaultlineConfig, registry: Registry) {
    this.connection = createRedis(config.REDIS_URL, 'producer');
    this.policies = jobPolicies(config.INGEST_JOB_ATTEMPTS, config.NOTIFY_ATTEMPTS);
    for (const name of Object.values(QueueName)) {
      const queue = new Queue(name, { connection: this.connection, prefix: config.QUEUE_PREFIX });
      // Without a listener BullMQ prints every reconnect attempt to stderr, outside the JSON logs.
      queue.on('error', (e) => this.logger.warn(`queue ${name}: ${e.message}`));
      this.queues.set(name, queue);
    }
    const depth = () => this.depth();
    new Gauge({
      name: 'faultline_queue_jobs',
      help: 'Jobs in each queue by state, read from Redis at scrape time',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        // prom-client calls collect with the gauge as `this`.
        for (const [queue, counts] of Object.entries(await depth()))
          for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
      },
    });
  }

  /** Adds a job; with `jobId`, a job of that id already waiting or running is not added again. */
  async add<N extends JobName>(
    name: N,
    data: JobPayloads[N],
    jobId?: string,
  ): Promise<string | undefined> {
    const policy = this.policies[name];
    const job = await this.queue(policy.queue).add(
      name,
      data,
      jobId === undefined ? policy.options : { ...policy.options, jobId },
    );
    return job.id;
  }

  /**
   * Creates or updates a job scheduler that adds `name` jobs every `everyMs`, `offsetMs` into
   * each period (so schedulers of one interval spread out instead of firing together).
   */
  async upsertScheduler<N extends JobName>(
    schedulerId: string,
    name: N,
    data: JobPayloads[N],
    everyMs: number,
    offsetMs = 0,
  ): Promise<void> {
    const policy = this.policies[name];
    const { attempts, backoff, removeOnComplete, removeOnFail } = policy.options;
    await this.queue(policy.queue).upsertJobScheduler(
      schedulerId,
      { every: everyMs, ...(offsetMs > 0 ? { offset: offsetMs } : {}) },
      { name, data, opts: { attempts, backoff, removeOnComplete, removeOnFail } },
    );
  }

  async removeScheduler(name: JobName, schedulerId: string): Promise<boolean> {
    return this.queue(this.policies[name].queue).removeJobScheduler(schedulerId);
  }

  /** Ids of the job schedulers of a queue. */
  async schedulerIds(queue: QueueName): Promise<string[]> {
    const q = this.queue(queue);
    const total = await q.getJobSchedulersCount();
    const schedulers = total > 0 ? await q.getJobSchedulers(0, total - 1) : [];
    return schedulers.map((s) => s.key);
  }

  queue(name: QueueName): Queue {
    const q = this.queues.get(name);
    if (!q) throw new Error(`unknown queue ${name}`);
    return q;
  }

  /** Jobs waiting, running or delayed for retry, per queue: the backlog the metrics report. */
  async depth(): Promise<Record<QueueName, Record<string, number>>> {
    const out = {} as Record<QueueName, Record<string, number>>;
    for (const [name, q] of this.queues)
      out[name] = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
    return out;
  }

  async onModuleDestroy(): Promise<void> {
    for (const q of this.queues.values()) await q.close();
    await this.connection.quit().catch(() => undefined);
  }
}
