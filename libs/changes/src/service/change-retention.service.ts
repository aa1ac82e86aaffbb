import { type FaultlineConfig, InjectConfig } from '@faultline/platform';
import { Injectable } from '@nestjs/common';

import { ChangeRepository } from './change.repository';

const DAY_MS = 86_400_000;

/**
 * Deletes changes that ended more than TRANSITION_RETENTION_DAYS ago: as long as the check
 * transitions they may have caused are kept. Run by the worker's hourly maintenance.
 */
@Injectable()
export class ChangeRetention {
  constructor(
    private readonly changes: ChangeRepository,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {}

  /** How many changes were deleted. */
  deleteExpired(now = Date.now()): Promise<number> {
    return this.changes.deleteEndedBefore(
      new Date(now - this.config.TRANSITION_RETENTION_DAYS * DAY_MS),
    );
  }
}
