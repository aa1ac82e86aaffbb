import { ReportIntake } from '@faultline/ingest';
import { type FaultlineConfig, InjectConfig, InvalidInputError } from '@faultline/platform';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

import { UnresolvedComponentRepository } from '../components/unresolved-component.repository';
import { FetchFailure, SafeHttpClient } from '../http';
import { ComponentMappingService } from '../mappings/component-mapping.service';
import { PollScheduler } from '../targets/poll-scheduler';
import { PollTargetRepository } from '../targets/poll-target.repository';
import { sourceOf } from '../targets/poll-target.service';
import { pollHeaders } from './accept';
import { boundedPollReports } from './bounded-poll';
import { type PollAnswer, pollReports } from './poll-reports';

export type PollOutcome = 'answered' | 'unreachable' | 'gone';

/**
 * One poll of one target (a job of its scheduler): fetch it through the safe client, asking for
 * its format's richest form (pollHeaders), turn the answer into reports with the effective
 * mapping, and hand them to the same intake as pushed reports.
 */
@Injectable()
export class TargetPoller implements OnModuleDestroy {
  private readonly logger = new Logger(TargetPoller.name);
  private readonly http = new SafeHttpClient();
  private readonly polls: Counter<'outcome'>;
  private readonly pollSeconds: Histogram;

  constructor(
    private readonly targets: PollTargetRepository,
    private readonly scheduler: PollScheduler,
    private readonly intake: ReportIntake,
    private readonly unresolved: UnresolvedComponentRepository,
    private readonly mappings: ComponentMappingService,
    @InjectConfig() private readonly config: FaultlineConfig,
    registry: Registry,
  ) {
    this.polls = new Counter({
      name: 'faultline_polls_total',
      help: 'Polls of registered targets, by outcome (answered, unreachable, gone)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.pollSeconds = new Histogram({
      name: 'faultline_poll_seconds',
      help: 'Time of one poll, from request to reports accepted',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }

  async poll(targetId: string): Promise<PollOutcome> {
    const stop = this.pollSeconds.startTimer();
    const outcome = await this.pollOnce(targetId);
    stop();
    this.polls.inc({ outcome });
    return outcome;
  }

  private async pollOnce(targetId: string): Promise<PollOutcome> {
    const found = await this.targets.getForPoll(targetId);
    if (!found) {
      // Deleted while its scheduler lived on: stop it.
      await this.scheduler.unschedule(targetId);
      return 'gone';
    }
    const { headers } = found;
    // The fleet-wide mapping under the target's own: a change applies from the next poll on.
    const target = {
      ...found.target,
      mapping: await this.mappings.effective(found.target.mapping),
    };
    const now = Date.now();
    let answer: PollAnswer;
    try {
      const response = await this.http.fetch(target.url, {
        timeoutMs: target.timeoutMs,
        headers: pollHeaders(target.format, headers),
        tlsVerify: target.tlsVerify,
        allowLinkLocal: target.allowLinkLocal,
      });
      answer = { ok: true, response };
    } catch (e) {
      if (!(e instanceof FetchFailure)) throw e;
      answer = { ok: false, reason: e.reason, message: e.message };
    }
    // Reading the answer is bounded in time (POLL_ADAPT_TIMEOUT_MS): past it, unreachable.
    let result = boundedPollReports(
      target,
      answer,
      this.config.COLLECTOR_ID,
      now,
      this.config.POLL_ADAPT_TIMEOUT_MS,
    );
    try {
      await this.intake.ingest(result.reports, now, `poll/${target.id}`);
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      // The answer read as its format but holds what a report cannot (a name too long, ...).
      const reason =
        `answered a document Faultline cannot store: ${e.errors.map((x) => `${x.path} ${x.reason}`).join('; ')}`.slice(
          0,
          1000,
        );
      result = pollReports(
        target,
        { ok: false, reason: 'protocol', message: reason },
        this.config.COLLECTOR_ID,
        now,
      );
      await this.intake.ingest(result.reports, now, `poll/${target.id}`);
    }
    await this.unresolved.record(sourceOf(target.id), result.unresolved);
    if (result.unreachable) this.logger.debug(`poll ${target.id}: ${result.unreachable}`);
    return result.unreachable ? 'unreachable' : 'answered';
  }

  /** How many targets are registered (the worker's start-up line). */
  async targetCount(): Promise<number> {
    return (await this.targets.ids()).length;
  }

  onModuleDestroy(): void {
    this.http.close();
  }
}
