import { IncidentQueryService } from '@faultline/incidents';
import {
  type FaultlineConfig,
  InjectConfig,
  JobName,
  JobProducer,
  NotFoundError,
} from '@faultline/platform';
import { Injectable } from '@nestjs/common';

import { ChannelService } from '../channels/channel.service';
import { planNotifications } from '../routing/notification-planner';
import { RoutingRulesService } from '../routing/routing-rules.service';
import { NotificationLogRepository } from './notification-log.repository';

// The sweep looks again at incidents changed this recently, besides every open one.
const SWEEP_CHANGED_WITHIN_MS = 10 * 60_000;

/**
 * Schedules the deliveries about incidents: loads each incident with the channels, routes,
 * silences and what was already sent, has planNotifications decide what to send now, records
 * that in the delivery log and enqueues a delivery job per pending row. Triggered after the
 * correlation leader stores incident changes, and by a periodic sweep (repeats; a trigger lost to
 * a crash). Idempotent: the log's uniqueness sends each (incident, event, channel) once, and a
 * delivery job's id is its row id, so enqueueing a pending row twice runs it once.
 */
@Injectable()
export class NotificationScheduler {
  constructor(
    private readonly incidents: IncidentQueryService,
    private readonly channels: ChannelService,
    private readonly rules: RoutingRulesService,
    private readonly log: NotificationLogRepository,
    private readonly producer: JobProducer,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {}

  async schedule(
    incidentIds: readonly string[],
    now = Date.now(),
  ): Promise<{ planned: number; enqueued: number }> {
    const { planned, enqueued } = await this.planRecordAndEnqueue(incidentIds, now);
    return { planned, enqueued: enqueued.size };
  }

  /** Open incidents (repeats) and recently changed ones, then any pending row left behind by an older incident. */
  async sweep(now = Date.now()): Promise<{ planned: number; enqueued: number }> {
    const { planned, enqueued } = await this.planRecordAndEnqueue(
      await this.log.incidentsToSweep(SWEEP_CHANGED_WITHIN_MS),
      now,
    );
    for (const notificationId of await this.log.pendingIds()) {
      if (enqueued.has(notificationId)) continue;
      await this.producer.add(JobName.DeliverNotification, { notificationId }, notificationId);
      enqueued.add(notificationId);
    }
    return { planned, enqueued: enqueued.size };
  }

  private async planRecordAndEnqueue(
    incidentIds: readonly string[],
    now: number,
  ): Promise<{ planned: number; enqueued: Set<string> }> {
    const enqueued = new Set<string>();
    const channelIds = await this.channels.ids();
    if (channelIds.length === 0) return { planned: 0, enqueued };
    const [routes, silences] = await Promise.all([
      this.rules.routes(),
      this.rules.activeSilences(now),
    ]);
    let planned = 0;
    for (const id of new Set(incidentIds)) {
      let incident;
      try {
        incident = await this.incidents.get(id);
      } catch (e) {
        if (e instanceof NotFoundError) continue;
        throw e;
      }
      const affected = {
        services: incident.affected.services,
        instances: incident.affected.instanceKeys,
      };
      const plan = planNotifications({
        incident: { ...incident, affected },
        labels: await this.log.labelsOf(affected.instances),
        channelIds,
        routes,
        silences,
        past: await this.log.past(id),
        now,
        incidentUrl: `${this.config.PUBLIC_URL.replace(/\/$/, '')}/api/v1/incidents/${encodeURIComponent(id)}`,
      });
      planned += plan.length;
      for (const notificationId of await this.log.record(id, plan)) {
        await this.producer.add(JobName.DeliverNotification, { notificationId }, notificationId);
        enqueued.add(notificationId);
      }
    }
    return { planned, enqueued };
  }
}
