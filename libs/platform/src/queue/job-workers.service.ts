import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import type IORedis from 'ioredis';
import { InjectConfig } from '../config/config.module';
import type { FaultlineConfig } from '../config/config.schema';
import { cappedBackoff, jobPolicies, JobName, type JobPayloads, QueueName } from './queue.types';
import { createRedis } from './redis';

export type JobHandler<N extends JobName> = (data: JobPayloads[N], job: Job) => Promise<unknown>;
/** One handler per job name: the compiler rejects a missing one, start() a wrong one. */
export type JobHandlers = { [N in JobName]: JobHandler<N> };

/**
 * Runs BullMQ workers for every queue. A handler that throws lets BullMQ retry the job with
 * the policy of its name; nothing here catches job errors. A worker killed mid-job leaves a
 * lock that expires after WORKER_LOCK_MS, and the job then runs again elsewhere.
 */
@Injectable()
export class JobWorkers implements OnModuleDestroy {
  private readonly logger = new Logger(JobWorkers.name);
  private readonly workers: Worker[] = [];
  // BullMQ does not close a connection it was given, so the workers' connections are ours to close.
  private readonly connections: IORedis[] = [];

  constructor(@InjectConfig() private readonly config: FaultlineConfig) {}

  start(handlers: JobHandlers): void {
    const names = Object.keys(handlers);
    const unknown = names.filter((n) => !Object.values(JobName).includes(n as JobName));
    const missing = Object.values(JobName).filter((n) => typeof handlers[n] !== 'function');
    if (unknown.length || missing.length) throw new Error(`job handlers: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]`);

    const policies = jobPolicies(this.config.INGEST_JOB_ATTEMPTS);
    for (const queue of Object.values(QueueName)) {
      const connection = createRedis(this.config.REDIS_URL, `worker-${queue}`);
      this.connections.push(connection);
      const worker = new Worker(
        queue,
        async (job: Job) => {
          const name = job.name as JobName;
          if (policies[name]?.queue !== queue) throw new Error(`job ${job.name} does not belong on queue ${queue}`);
          return (handlers[name] as JobHandler<JobName>)(job.data, job);
        },
        {
          connection,
          prefix: this.config.QUEUE_PREFIX,
          concurrency: queue === QueueName.Ingest ? this.config.WORKER_CONCURRENCY : 1,
          lockDuration: this.config.WORKER_LOCK_MS,
          stalledInterval: Math.max(1000, Math.floor(this.config.WORKER_LOCK_MS / 2)),
          // A job stalls each time its worker dies; that must never cost accepted reports.
          maxStalledCount: 1000,
          settings: { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade) },
        },
      );
      worker.on('failed', (job, err) => this.logger.warn(`job ${job?.name}#${job?.id} attempt ${job?.attemptsMade} failed: ${err.message}`));
      worker.on('error', (err) => this.logger.error(`worker ${queue}: ${err.message}`));
      this.workers.push(worker);
    }
  }

  /** Lets running jobs finish, then closes: graceful shutdown drains in-flight batches. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
