import { type PollOutcome, TargetPoller } from '@faultline/collectors';
import type { JobName, JobPayloads } from '@faultline/platform';
import { Injectable } from '@nestjs/common';

/** A poll job, fired by its target's scheduler. */
@Injectable()
export class PollProcessor {
  constructor(private readonly poller: TargetPoller) {}

  process(data: JobPayloads[JobName.PollTarget]): Promise<PollOutcome> {
    return this.poller.poll(data.targetId);
  }
}
