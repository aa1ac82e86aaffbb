import { randomUUID } from 'node:crypto';

import {
  createRedis,
  type FaultlineConfig,
  InjectConfig,
  JobWorkers,
  LeaderLock,
  QueueName,
} from '@faultline/platform';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type IORedis from 'ioredis';

import { CorrelationProcessor } from './correlation.processor';
import { CorrelationService } from './correlation.service';

/**
 * Elects the one process that runs the correlation engine (a correlator, or a worker with
 * CORRELATION_ENABLED): it holds a leased Redis lock, rebuilds the engine from Postgres when it
 * becomes leader, and only then consumes the correlation queue. Losing the lease (a pause, a
 * network split) stops consumption at once.
 */
@Injectable()
export class CorrelationLeadership implements OnModuleDestroy {
  private readonly logger = new Logger(CorrelationLeadership.name);
  private readonly redis: IORedis;
  private readonly lock: LeaderLock;
  private timer: NodeJS.Timeout | null = null;
  /** While leading: moves the engine's clock between reports. */
  private clock: NodeJS.Timeout | null = null;
  private leading = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    @InjectConfig() private readonly config: FaultlineConfig,
    private readonly workers: JobWorkers,
    private readonly correlation: CorrelationService,
    private readonly processor: CorrelationProcessor,
  ) {
    this.redis = createRedis(config.REDIS_URL, 'leader');
    this.lock = new LeaderLock(
      this.redis,
      `${config.QUEUE_PREFIX}:correlation:leader`,
      randomUUID(),
      config.CORRELATION_LEASE_MS,
    );
  }

  start(): void {
    const every = Math.floor(this.config.CORRELATION_LEASE_MS / 3);
    // A round that throws (Redis or the queue failing mid-campaign) is logged and the next one
    // runs: a rejected link would otherwise skip every later round and end the process.
    const round = () =>
      (this.busy = this.busy
        .then(() => this.campaign())
        .catch((e: unknown) =>
          this.logger.error(`leadership round failed: ${(e as Error).message}`),
        ));
    void round();
    this.timer = setInterval(() => void round(), every);
  }

  private async campaign(): Promise<void> {
    const leader = await this.lock.acquireOrRenew().catch(() => false);
    if (leader && !this.leading) {
      this.leading = true;
      this.logger.log('became correlation leader: rebuilding the engine');
      try {
        await this.correlation.rebuild();
        this.workers.startQueue(QueueName.Correlation);
        this.startClock();
      } catch (e) {
        this.logger.error(`engine rebuild failed, stepping down: ${(e as Error).message}`);
        this.leading = false;
        await this.lock.release().catch(() => undefined);
      }
    } else if (!leader && this.leading) {
      this.leading = false;
      this.stopClock();
      this.logger.warn('lost correlation leadership');
      await this.workers.stopQueue(QueueName.Correlation);
    }
  }

  private startClock(): void {
    let running = false;
    this.clock = setInterval(() => {
      if (running) return; // a slow Postgres: skip a beat rather than pile up
      running = true;
      this.processor
        .advanceClock()
        .catch((e: unknown) => this.logger.warn(`clock not advanced: ${(e as Error).message}`))
        .finally(() => (running = false));
    }, this.config.CORRELATION_CLOCK_MS);
  }

  private stopClock(): void {
    if (this.clock) clearInterval(this.clock);
    this.clock = null;
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopClock();
    await this.busy;
    await this.workers.stopQueue(QueueName.Correlation);
    if (this.leading) await this.lock.release().catch(() => undefined);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
