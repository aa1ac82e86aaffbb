import type { Change } from '@faultline/changes';
import type { EncodedCorrelationReport } from '@faultline/correlation';
import type { Report } from '@faultline/reports';
import type { JobsOptions } from 'bullmq';

export enum QueueName {
  Ingest = 'ingest',
  Maintenance = 'maintenance',
  /** Consumed by one process at a time: the leader that holds the correlation engine. */
  Correlation = 'correlation',
  /** Health endpoints to poll: one job scheduler per target, consumed by every worker. */
  Poll = 'poll',
  /** Notifications: planning what to send about incidents, and delivering it. */
  Notify = 'notify',
}

/** Queues only the elected leader consumes (see LeaderLock); the others run in every worker. */
export const LEADER_QUEUES: readonly QueueName[] = [QueueName.Correlation];

export enum JobName {
  /** A group-committed batch of validated reports to persist. */
  IngestBatch = 'ingest-batch',
  /** Creates upcoming report partitions and drops expired ones. */
  MaintainStorage = 'maintain-storage',
  /**
   * Reports just stored, for the correlation engine, in the order they were stored: only what
   * the engine reads of them (encodeCorrelationReports), not their bodies.
   */
  Correlate = 'correlate',
  /** Polls one registered target and submits what it answered as reports. */
  PollTarget = 'poll-target',
  /** Decides what to send about these incidents and enqueues the deliveries. */
  PlanNotifications = 'plan-notifications',
  /** Sends one notification (a row of the delivery log) through its channel. */
  DeliverNotification = 'deliver-notification',
  /** Periodic: repeats for open incidents, and any plan or delivery a crash left behind. */
  SweepNotifications = 'sweep-notifications',
}

/** The jobs of LEADER_QUEUES (jobPolicies places them): all a correlator handles. */
export type LeaderJobName = JobName.Correlate;

/** The payload of each job, so producers and handlers agree at compile time. */
export interface JobPayloads {
  /** `inFlight`: the batch's token in the InFlightRegistry, released once correlation has it. */
  [JobName.IngestBatch]: { reports: Report[]; inFlight?: string };
  [JobName.MaintainStorage]: Record<string, never>;
  [JobName.Correlate]: {
    reports: EncodedCorrelationReport[];
    aliases?: { targetKey: string; servedBy: string }[];
    /** Changes just stored (new or updated, as they now stand): evidence and candidate causes. */
    changes?: Change[];
    inFlight?: string;
  };
  [JobName.PollTarget]: { targetId: string };
  [JobName.PlanNotifications]: { incidentIds: string[] };
  [JobName.DeliverNotification]: { notificationId: string };
  [JobName.SweepNotifications]: Record<string, never>;
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
export function jobPolicies(
  ingestAttempts: number,
  notifyAttempts = 8,
): Record<JobName, JobPolicy> {
  return {
    [JobName.PlanNotifications]: {
      queue: QueueName.Notify,
      options: {
        attempts: 20,
        backoff: { type: 'capped' },
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
      },
    },
    // 1 s, 2 s, 4 s ... between attempts; the delivery log keeps the last error.
    [JobName.DeliverNotification]: {
      queue: QueueName.Notify,
      options: {
        attempts: notifyAttempts,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
      },
    },
    [JobName.SweepNotifications]: {
      queue: QueueName.Notify,
      options: { attempts: 1, removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } },
    },
    [JobName.IngestBatch]: {
      queue: QueueName.Ingest,
      options: {
        attempts: ingestAttempts,
        backoff: { type: 'capped' },
        removeOnComplete: true,
        removeOnFail: false,
      },
    },
    [JobName.Correlate]: {
      queue: QueueName.Correlation,
      options: {
        attempts: ingestAttempts,
        backoff: { type: 'capped' },
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
      },
    },
    // A failed poll is itself news (a failing reachability report), never retried: the next
    // interval polls again.
    [JobName.PollTarget]: {
      queue: QueueName.Poll,
      options: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 1000 } },
    },
    [JobName.MaintainStorage]: {
      queue: QueueName.Maintenance,
      options: {
        attempts: 5,
        backoff: { type: 'capped' },
        removeOnComplete: { count: 100 },
        removeOnFail: { count: 100 },
      },
    },
  };
}

/** The "capped" backoff: 250 ms doubling per attempt, never more than 15 s between tries. */
export function cappedBackoff(attemptsMade: number): number {
  return Math.min(15_000, 250 * 2 ** Math.max(0, attemptsMade - 1));
}
