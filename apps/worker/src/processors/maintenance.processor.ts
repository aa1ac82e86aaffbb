import { StorageMaintenance } from '@faultline/ingest';
import { Injectable } from '@nestjs/common';

/** The hourly storage pass: partitions ahead, expired ones dropped. */
@Injectable()
export class MaintenanceProcessor {
  constructor(private readonly maintenance: StorageMaintenance) {}

  process(): Promise<{ created: number; dropped: string[] }> {
    return this.maintenance.maintain();
  }
}
