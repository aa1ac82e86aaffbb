import { CorrelationLeadership, CorrelationProcessor } from '@faultline/correlation/service';
import {
  displayOrigin,
  type FaultlineConfig,
  InjectConfig,
  JobName,
  JobWorkers,
} from '@faultline/platform';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';

/** Wires the Correlate job to its processor and stands for correlation leader. */
@Injectable()
export class CorrelatorService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Startup');

  constructor(
    private readonly workers: JobWorkers,
    private readonly correlate: CorrelationProcessor,
    private readonly leadership: CorrelationLeadership,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.workers.registerLeaderOnly({
      [JobName.Correlate]: (data) => this.correlate.process(data),
    });
    this.leadership.start();
    const metrics = this.config.CORRELATOR_METRICS_PORT
      ? `metrics at ${displayOrigin(this.config.WORKER_METRICS_HOST, this.config.CORRELATOR_METRICS_PORT)}/metrics`
      : 'metrics off (CORRELATOR_METRICS_PORT=0)';
    this.logger.log(`correlator started: standing for correlation leader; ${metrics}`);
  }
}
