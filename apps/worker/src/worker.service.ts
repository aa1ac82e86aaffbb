import { TargetFileLoader, TargetPoller } from '@faultline/collectors';
import { CorrelationLeadership, CorrelationProcessor } from '@faultline/correlation/service';
import { StorageMaintenance } from '@faultline/ingest';
import { ChannelService } from '@faultline/notifications';
import {
  displayOrigin,
  type FaultlineConfig,
  InjectConfig,
  JobName,
  JobProducer,
  JobWorkers,
  QueueName,
} from '@faultline/platform';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';

import { IngestProcessor } from './processors/ingest.processor';
import { MaintenanceProcessor } from './processors/maintenance.processor';
import { NotificationProcessor } from './processors/notification.processor';
import { PollProcessor } from './processors/poll.processor';

const MAINTENANCE_EVERY_MS = 60 * 60_000;
const NOTIFICATION_SWEEP_EVERY_MS = 30_000;

/** Wires every job name to its processor and schedules the recurring jobs. */
@Injectable()
export class WorkerService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Startup');

  constructor(
    private readonly workers: JobWorkers,
    private readonly producer: JobProducer,
    private readonly maintenance: StorageMaintenance,
    private readonly ingest: IngestProcessor,
    private readonly maintain: MaintenanceProcessor,
    private readonly correlate: CorrelationProcessor,
    private readonly poll: PollProcessor,
    private readonly notify: NotificationProcessor,
    private readonly targetFile: TargetFileLoader,
    private readonly leadership: CorrelationLeadership,
    private readonly channels: ChannelService,
    private readonly poller: TargetPoller,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Partitions for the retention window exist before the first batch arrives.
    await this.maintenance.maintain();
    // One scheduler per deployment whatever the number of workers: upsert is idempotent.
    await this.producer
      .queue(QueueName.Maintenance)
      .upsertJobScheduler(
        JobName.MaintainStorage,
        { every: MAINTENANCE_EVERY_MS },
        { name: JobName.MaintainStorage, data: {} },
      );
    await this.producer.upsertScheduler(
      JobName.SweepNotifications,
      JobName.SweepNotifications,
      {},
      NOTIFICATION_SWEEP_EVERY_MS,
    );
    // The targets file is applied before polling starts; a bad file stops the worker with its errors.
    if (this.config.COLLECTOR_TARGETS_FILE)
      await this.targetFile.apply(this.config.COLLECTOR_TARGETS_FILE);
    await this.targetFile.reconcileSchedulers();
    this.workers.start({
      [JobName.IngestBatch]: (data, job) => this.ingest.process(data, job),
      [JobName.MaintainStorage]: () => this.maintain.process(),
      [JobName.Correlate]: (data) => this.correlate.process(data),
      [JobName.PollTarget]: (data) => this.poll.process(data),
      [JobName.PlanNotifications]: (data) => this.notify.plan(data),
      [JobName.DeliverNotification]: (data, job, token) => this.notify.deliver(data, job, token),
      [JobName.SweepNotifications]: () => this.notify.sweep(),
    });
    if (this.config.CORRELATION_ENABLED) this.leadership.start();
    await this.logStarted().catch((e: Error) =>
      this.logger.warn(`worker started; could not count its channels and targets: ${e.message}`),
    );
  }

  /** One line: what this worker loaded and where its metrics are. */
  private async logStarted(): Promise<void> {
    const [channels, targets] = await Promise.all([this.channels.ids(), this.poller.targetCount()]);
    const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    const metrics = this.config.WORKER_METRICS_PORT
      ? `metrics at ${displayOrigin(this.config.WORKER_METRICS_HOST, this.config.WORKER_METRICS_PORT)}/metrics`
      : 'metrics off (WORKER_METRICS_PORT=0)';
    const correlation = this.config.CORRELATION_ENABLED
      ? 'standing for correlation leader'
      : 'correlation left to correlators (CORRELATION_ENABLED=false)';
    this.logger.log(
      `worker started: loaded ${plural(channels.length, 'notification channel')} and ${plural(targets, 'poll target')}; ${correlation}; ${metrics}`,
    );
  }
}
