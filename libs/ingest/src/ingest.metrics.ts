import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

import type { BatchOutcome } from './batch-outcome';

/** Metrics of the api side of ingest: what was accepted and how long durability took. */
@Injectable()
export class IntakeMetrics {
  readonly accepted: Counter;
  readonly rejected: Counter<'reason'>;
  readonly groupCommitSeconds: Histogram;

  constructor(registry: Registry) {
    this.accepted = new Counter({
      name: 'faultline_reports_accepted_total',
      help: 'Reports acknowledged with 202 (durable in the queue)',
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'faultline_ingest_rejected_total',
      help: 'Ingest requests refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.groupCommitSeconds = new Histogram({
      name: 'faultline_ingest_group_commit_seconds',
      help: 'Time to make one group of reports durable in the queue',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    });
  }
}

/** Metrics of the worker side of ingest: what each batch stored and how long it took. */
@Injectable()
export class IngestMetrics {
  readonly reports: Counter<'outcome'>;
  readonly late: Counter;
  readonly transitions: Counter;
  readonly batchSeconds: Histogram;

  constructor(registry: Registry) {
    this.reports = new Counter({
      name: 'faultline_reports_persisted_total',
      help: 'Reports processed by the worker, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.late = new Counter({
      name: 'faultline_reports_late_total',
      help: 'Reports older than their instance newest, applied by replaying its timeline',
      registers: [registry],
    });
    this.transitions = new Counter({
      name: 'faultline_check_transitions_total',
      help: 'Check state transitions recorded',
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      name: 'faultline_ingest_batch_seconds',
      help: 'Time to persist one batch of reports in Postgres',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    });
  }

  recordBatch(o: BatchOutcome): void {
    this.reports.inc({ outcome: 'stored' }, o.stored);
    this.reports.inc({ outcome: 'duplicate' }, o.duplicates);
    this.late.inc(o.late);
    this.reports.inc({ outcome: 'expired' }, o.expired);
    this.transitions.inc(o.transitions);
  }
}
