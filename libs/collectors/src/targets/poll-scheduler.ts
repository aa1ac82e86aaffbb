import { JobName, JobProducer, QueueName } from '@faultline/platform';
import { Injectable } from '@nestjs/common';

const PREFIX = 'poll:';

/**
 * One BullMQ job scheduler per poll target: BullMQ adds a poll job every interval and only
 * once the previous one started, so any number of workers share the polls and a target is
 * polled once per interval (its timeout is shorter than its interval: never twice at once).
 * Each target gets a fixed phase in its interval from a hash of its id, so a thousand targets
 * registered in one second do not poll in the same second ever after.
 */
@Injectable()
export class PollScheduler {
  constructor(private readonly producer: JobProducer) {}

  async schedule(target: { id: string; intervalMs: number }): Promise<void> {
    await this.producer.upsertScheduler(
      PREFIX + target.id,
      JobName.PollTarget,
      { targetId: target.id },
      target.intervalMs,
      phaseOf(target.id, target.intervalMs),
    );
  }

  async unschedule(targetId: string): Promise<void> {
    await this.producer.removeScheduler(JobName.PollTarget, PREFIX + targetId);
  }

  /** Makes the schedulers match the targets: every target scheduled, no scheduler without one. */
  async reconcile(
    targets: readonly { id: string; intervalMs: number }[],
  ): Promise<{ scheduled: number; removed: number }> {
    const wanted = new Set(targets.map((t) => PREFIX + t.id));
    let removed = 0;
    for (const id of await this.producer.schedulerIds(QueueName.Poll)) {
      if (id.startsWith(PREFIX) && !wanted.has(id)) {
        await this.producer.removeScheduler(JobName.PollTarget, id);
        removed++;
      }
    }
    for (const t of targets) await this.schedule(t);
    return { scheduled: targets.length, removed };
  }
}

/** A stable phase in [0, interval) from the target id (FNV-1a). */
export function phaseOf(id: string, intervalMs: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % intervalMs;
}
