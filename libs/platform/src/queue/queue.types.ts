import type { Report } from '@faultline/reports';
import type { JobsOptions } from 'bullmq';

export enum QueueName {
  Ingest = 'ingest',
  Maintenance = 'maintenance',
}

export enum JobName {
  /** A group-committed batch of validated reports to persist. */
  IngestBatch = 'ingest-batch',
  /** Creates upcoming report partitions and drops expired ones. */
  MaintainStorage = 'maintain-storage',
}

/** The payload of each job, so producers and handlers agree at compile time. */
export interface JobPayloads {
  [JobName.IngestBatch]: { reports: Report[] };
  [JobName.MaintainStorage]: Record<string, never>;
}

export interface JobPolicy {
  queue: QueueName;
  options: JobsOptions;
}

/**
 * Where each job goes and how it is retried, declared once. Accepted reports must survive a
 * Postgres restart, so ingest batches retry for a long time with capped exponential backoff
 * (see RETRY_BACKOFF) and, if they ever exhaust their attempts, stay in the failed set.
 */
export function jobPolicies(ingestAttempts: number): Record<JobName, JobPolicy> {
  return {
    [JobName.IngestBatch]: {
      queue: QueueName.Ingest,
      options: { attempts: ingestAttempts, backoff: { type: 'capped' }, removeOnComplete: true, removeOnFail: false },
    },
    [JobName.MaintainStorage]: {
      queue: QueueName.Maintenance,
      options: { attempts: 5, backoff: { type: 'capped' }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    },
  };
}

/** The "capped" backoff: 250 ms doubling per attempt, never more than 15 s between tries. */
export function cappedBackoff(attemptsMade: number): number {
  return Math.min(15_000, 250 * 2 ** Math.max(0, attemptsMade - 1));
}
