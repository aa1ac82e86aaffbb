import type { FaultlineConfig } from '../config/config.schema';
import type { InFlightRegistry } from './in-flight-registry.service';
import { type JobHandlers, JobWorkers } from './job-workers.service';
import { JobName, QueueName } from './queue.types';

// No queue starts in these cases, so no Redis is reached.
const workers = () =>
  new JobWorkers(
    { INGEST_JOB_ATTEMPTS: 200, NOTIFY_ATTEMPTS: 8 } as FaultlineConfig,
    {} as InFlightRegistry,
  );
const handler = () => Promise.resolve();

describe('JobWorkers handlers', () => {
  it('a leader-only process registers the Correlate handler alone', () => {
    expect(() => workers().registerLeaderOnly({ [JobName.Correlate]: handler })).not.toThrow();
  });

  it('refuses a leader-only registration carrying another job, or missing Correlate', () => {
    const extra = { [JobName.Correlate]: handler, [JobName.IngestBatch]: handler };
    expect(() => workers().registerLeaderOnly(extra)).toThrow(
      'job handlers: missing [], unknown [ingest-batch]',
    );
    expect(() => workers().registerLeaderOnly({} as never)).toThrow(
      'job handlers: missing [correlate], unknown []',
    );
  });

  it('a leader-only process cannot start a queue it has no handlers for', () => {
    const w = workers();
    w.registerLeaderOnly({ [JobName.Correlate]: handler });
    expect(() => w.startQueue(QueueName.Ingest)).toThrow(
      'queue ingest: no handler for [ingest-batch] in this process',
    );
  });

  it('start() still wants every job', () => {
    const all = { [JobName.Correlate]: handler } as unknown as JobHandlers;
    expect(() => workers().start(all)).toThrow(/^job handlers: missing \[ingest-batch, /);
  });
});
