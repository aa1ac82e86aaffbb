import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import type IORedis from 'ioredis';

import { InjectConfig } from '../config/config.module';
import type { FaultlineConfig } from '../config/config.schema';
import { InFlightRegistry } from './in-flight-registry.service';
import {
  cappedBackoff,
  JobName,
  type JobPayloads,
  jobPolicies,
  type JobPolicy,
  LEADER_QUEUES,
  type LeaderJobName,
  QueueName,
} from './queue.types';
import { createRedis } from './redis';

/** `token` is the job's lock token, for handlers that move their job (e.g. delay it on a rate limit). */
export type JobHandler<N extends JobName> = (
  data: JobPayloads[N],
  job: Job,
  token?: string,
) => Promise<unknown>;
/** One handler per job name: the compiler rejects a missing one, start() a wrong one. */
export type JobHandlers = { [N in JobName]: JobHandler<N> };
/** One handler per job of the leader-only queues: all a process that only correlates runs. */
export type LeaderJobHandlers = { [N in LeaderJobName]: JobHandler<N> };

/**
 * Runs BullMQ workers for every queue. A handler that throws lets BullMQ retry the job with
 * the policy of its name; nothing here catches job errors. A worker killed mid-job leaves a
 * lock that expires after WORKER_LOCK_MS, and the job then runs again elsewhere.
 */
// Deliveries wait on receivers, not the CPU; a slow receiver must not hold up the others.
const NOTIFY_CONCURRENCY = 20;

@Injectable()
export class JobWorkers implements OnModuleDestroy {
  private readonly logger = new Logger(JobWorkers.name);
  private readonly workers = new Map<QueueName, { worker: Worker; connection: IORedis }>();
  private handlers: Partial<JobHandlers> | null = null;

  constructor(
    @InjectConfig() private readonly config: FaultlineConfig,
    private readonly inFlight: InFlightRegistry,
  ) {}

  /** Checks the handlers and starts a worker for every queue but the leader-only ones. */
  start(handlers: JobHandlers): void {
    this.register(handlers, Object.values(QueueName));
    for (const queue of Object.values(QueueName))
      if (!LEADER_QUEUES.includes(queue)) this.startQueue(queue);
  }

  /**
   * For a process that only leads (the correlator), instead of start(): checks the handlers of
   * the leader-only queues and starts nothing; its leadership starts them (startQueue).
   */
  registerLeaderOnly(handlers: LeaderJobHandlers): void {
    this.register(handlers, LEADER_QUEUES);
  }

  /** Accepts handlers only if they are exactly those of the jobs on `queues`. */
  private register(handlers: Partial<JobHandlers>, queues: readonly QueueName[]): void {
    const policies = this.policies();
    const expected = Object.values(JobName).filter((n) => queues.includes(policies[n].queue));
    const unknown = Object.keys(handlers).filter((n) => !expected.includes(n as JobName));
    const missing = expected.filter((n) => typeof handlers[n] !== 'function');
    if (unknown.length || missing.length)
      throw new Error(
        `job handlers: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]`,
      );
    this.handlers = handlers;
  }

  private policies(): Record<JobName, JobPolicy> {
    return jobPolicies(this.config.INGEST_JOB_ATTEMPTS, this.config.NOTIFY_ATTEMPTS);
  }

  /** Starts consuming one queue (the leader calls this for the leader-only queues). */
  startQueue(queue: QueueName): void {
    const handlers = this.handlers;
    if (!handlers) throw new Error('JobWorkers.start() or registerLeaderOnly() must run first');
    if (this.workers.has(queue)) return;
    const policies = this.policies();
    const unhandled = Object.values(JobName).filter(
      (n) => policies[n].queue === queue && typeof handlers[n] !== 'function',
    );
    if (unhandled.length)
      throw new Error(`queue ${queue}: no handler for [${unhandled.join(', ')}] in this process`);
    // BullMQ does not close a connection it was given, so each worker's connection is ours to close.
    const connection = createRedis(this.config.REDIS_URL, `worker-${queue}`);
    const worker = new Worker(
      queue,
      async (job: Job<JobPayloads[JobName]>, token?: string) => {
        const name = job.name as JobName;
        if (policies[name]?.queue !== queue)
          throw new Error(`job ${job.name} does not belong on queue ${queue}`);
        return (handlers[name] as JobHandler<JobName>)(job.data, job, token);
      },
      {
        connection,
        prefix: this.config.QUEUE_PREFIX,
        concurrency:
          queue === QueueName.Ingest
            ? this.config.WORKER_CONCURRENCY
            : queue === QueueName.Poll
              ? this.config.POLL_CONCURRENCY
              : queue === QueueName.Notify
                ? NOTIFY_CONCURRENCY
                : 1,
        lockDuration: this.config.WORKER_LOCK_MS,
        stalledInterval: Math.max(1000, Math.floor(this.config.WORKER_LOCK_MS / 2)),
        // A job stalls each time its worker dies; that must never cost accepted reports.
        maxStalledCount: 1000,
        settings: { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade) },
      },
    );
    worker.on('failed', (job, err) => {
      this.logger.warn(
        `job ${job?.name}#${job?.id} attempt ${job?.attemptsMade} failed: ${err.message}`,
      );
      // A batch that failed for good no longer holds the correlation clock back.
      const token = (job?.data as { inFlight?: unknown } | undefined)?.inFlight;
      if (job && typeof token === 'string' && job.attemptsMade >= (job.opts.attempts ?? 1))
        this.inFlight
          .release(token)
          .catch((e: unknown) =>
            this.logger.warn(
              `in-flight hold of job ${job.id} not released: ${(e as Error).message}`,
            ),
          );
    });
    worker.on('error', (err) => this.logger.error(`worker ${queue}: ${err.message}`));
    this.workers.set(queue, { worker, connection });
  }

  /** Stops consuming one queue after its running jobs finish. */
  async stopQueue(queue: QueueName): Promise<void> {
    const entry = this.workers.get(queue);
    if (!entry) return;
    this.workers.delete(queue);
    await entry.worker.close();
    await entry.connection.quit().catch(() => entry.connection.disconnect());
  }

  /** Lets running jobs finish, then closes: graceful shutdown drains in-flight batches. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.workers.keys()].map((q) => this.stopQueue(q)));
  }
}
