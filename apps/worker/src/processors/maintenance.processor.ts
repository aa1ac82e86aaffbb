import { ChangeRetention } from '@faultline/changes/service';
import { StorageMaintenance } from '@faultline/ingest';
import { Injectable } from '@nestjs/common';

/** The hourly storage pass: partitions ahead, expired ones dropped, expired changes deleted. */
@Injectable()
export class MaintenanceProcessor {
  constructor(
    private readonly maintenance: StorageMaintenance,
    private readonly changes: ChangeRetention,
  ) {}

  async process(): Promise<{ created: number; dropped: string[]; changesDeleted: number }> {
    const storage = await this.maintenance.maintain();
    return { ...storage, changesDeleted: await this.changes.deleteExpired() };
  }
}
