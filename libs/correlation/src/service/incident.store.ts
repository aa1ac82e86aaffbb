import { Injectable } from '@nestjs/common';

import type { Incident, IncidentChange } from '../engine/engine.model';
import { IncidentWriteRepository } from './incident-write.repository';
import { latestPerIncident, toIncident, toWriteRow } from './stored-incident';

/**
 * Persists what the correlation engine emits. Each change carries a full snapshot, so storing
 * the latest one per incident is all there is to it; see IncidentRepository.upsert for why
 * replays and out-of-order calls are harmless.
 */
@Injectable()
export class IncidentStore {
  constructor(private readonly incidents: IncidentWriteRepository) {}

  /** Upserts the snapshots in one statement; the latest change per incident wins. */
  async apply(changes: readonly IncidentChange[]): Promise<void> {
    await this.incidents.upsert(latestPerIncident(changes).map(toWriteRow));
  }

  /** The open incidents, oldest first, as the engine describes them: for a worker's restart. */
  async loadOpen(): Promise<Incident[]> {
    return (await this.incidents.listOpen()).map(toIncident);
  }
}
