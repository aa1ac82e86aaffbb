import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { NotificationEvent } from '../notification.model';
import type {
  OpenedRow,
  PastNotification,
  PlannedNotification,
} from '../routing/notification-planner';

export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed', 'silenced', 'skipped'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export interface NotificationRecord {
  id: string;
  incidentId: string;
  eventKey: string;
  channelId: string;
  /** The channel's name when listed (null if it was deleted since). */
  channelName?: string | null;
  kind: string;
  topCause: string;
  status: NotificationStatus;
  silencedBy: string[];
  event: NotificationEvent;
  /** Delivery attempts started. */
  attempts: number;
  /** The last failed attempt's error; for a skipped row, why it was skipped. */
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

interface Row {
  id: string;
  incident_id: string;
  event_key: string;
  channel_id: string;
  kind: string;
  top_cause: string;
  status: NotificationStatus;
  silenced_by: string[];
  event: NotificationEvent;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  channel_name?: string | null;
}

/**
 * The delivery log: one row per (incident, event, channel), unique, so planning twice records
 * once. A row is pending until its delivery succeeds (sent) or gives up (failed); silenced rows
 * are recorded and never sent, and so are skipped ones (an opened the incident's end overtook,
 * and the resolved of a channel that never got the opened: resolvedGate).
 */
@Injectable()
export class NotificationLogRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async past(incidentId: string): Promise<PastNotification[]> {
    const rows: Row[] = await this.dataSource.query(
      'SELECT channel_id, event_key, top_cause, created_at FROM notifications WHERE incident_id = $1',
      [incidentId],
    );
    return rows.map((r) => ({
      channelId: r.channel_id,
      eventKey: r.event_key,
      topCause: r.top_cause,
      createdAt: r.created_at.getTime(),
    }));
  }

  /** Records what was planned (once each); returns the ids of the incident's rows still pending. */
  async record(incidentId: string, planned: readonly PlannedNotification[]): Promise<string[]> {
    if (planned.length > 0) {
      await this.dataSource.query(
        `INSERT INTO notifications (incident_id, event_key, channel_id, kind, top_cause, status, silenced_by, event, last_error)
         SELECT $1, x.event_key, x.channel_id, x.kind, x.top_cause,
                CASE WHEN cardinality(x.silenced_by) > 0 THEN 'silenced' WHEN x.skip_reason IS NOT NULL THEN 'skipped' ELSE 'pending' END,
                x.silenced_by, x.event, CASE WHEN cardinality(x.silenced_by) > 0 THEN NULL ELSE x.skip_reason END
         FROM jsonb_to_recordset($2::jsonb) AS x(event_key text, channel_id uuid, kind text, top_cause text, silenced_by uuid[], event jsonb, skip_reason text)
         ON CONFLICT (incident_id, event_key, channel_id) DO NOTHING`,
        [
          incidentId,
          JSON.stringify(
            planned.map((p) => ({
              event_key: p.eventKey,
              channel_id: p.channelId,
              kind: p.kind,
              top_cause: p.topCause,
              silenced_by: p.silencedBy,
              event: p.event,
              skip_reason: p.skipReason ?? null,
            })),
          ),
        ],
      );
    }
    return this.pendingIds(incidentId);
  }

  /** Pending rows (of one incident, or all): a scheduler that crashed before enqueueing them is made good by the next. */
  async pendingIds(incidentId?: string): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM notifications WHERE status = 'pending' AND ($1::text IS NULL OR incident_id = $1) ORDER BY created_at LIMIT 10000`,
      [incidentId ?? null],
    );
    return rows.map((r) => r.id);
  }

  async get(id: string): Promise<NotificationRecord | null> {
    const rows: Row[] = await this.dataSource.query('SELECT * FROM notifications WHERE id = $1', [
      id,
    ]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The opened row of an incident on a channel, if planned. */
  async opened(
    incidentId: string,
    channelId: string,
  ): Promise<(OpenedRow & { id: string }) | null> {
    const rows: { id: string; status: NotificationStatus; attempts: number }[] =
      await this.dataSource.query(
        `SELECT id, status, attempts FROM notifications WHERE incident_id = $1 AND channel_id = $2 AND event_key = 'opened'`,
        [incidentId, channelId],
      );
    return rows[0] ?? null;
  }

  /**
   * Starts a delivery attempt: counts it on a pending row, before anything is sent. False if the
   * row is no longer pending (skipped meanwhile, or sent by another run): send nothing then.
   */
  async startAttempt(id: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `UPDATE notifications SET attempts = attempts + 1, updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /**
   * Skips a pending row; with `unattempted`, only one no attempt has started on (so never one that
   * may be in flight). True if it was skipped.
   */
  async skip(id: string, reason: string, unattempted = false): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `UPDATE notifications SET status = 'skipped', last_error = $2, updated_at = now()
       WHERE id = $1 AND status = 'pending' AND (NOT $3 OR attempts = 0) RETURNING id`,
      [id, reason, unattempted],
    );
    return rows.length > 0;
  }

  async markSent(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE notifications SET status = 'sent', last_error = NULL, sent_at = now(), updated_at = now() WHERE id = $1`,
      [id],
    );
  }

  async markFailedAttempt(id: string, error: string, final: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE notifications SET last_error = $2, status = CASE WHEN $3 THEN 'failed' ELSE status END, updated_at = now() WHERE id = $1`,
      [id, error.slice(0, 1000), final],
    );
  }

  async list(
    filter: { incidentId?: string; channelId?: string; status?: NotificationStatus },
    limit: number,
  ): Promise<NotificationRecord[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT n.*, c.name AS channel_name FROM notifications n LEFT JOIN notification_channels c ON c.id = n.channel_id
       WHERE ($1::text IS NULL OR n.incident_id = $1) AND ($2::uuid IS NULL OR n.channel_id = $2) AND ($3::text IS NULL OR n.status = $3)
       ORDER BY n.created_at DESC, n.id LIMIT $4`,
      [filter.incidentId ?? null, filter.channelId ?? null, filter.status ?? null, limit],
    );
    return rows.map(toRecord);
  }

  /** Incidents to look at again: open ones (repeats) and those changed lately (a lost trigger). */
  async incidentsToSweep(changedWithinMs: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM incidents WHERE status = 'open' OR updated_at > now() - $1 * interval '1 millisecond' ORDER BY id LIMIT 10000`,
      [changedWithinMs],
    );
    return rows.map((r) => r.id);
  }

  /** Label name → values, over the given instances (`instance:<service>/<name>` keys). */
  async labelsOf(instanceKeys: readonly string[]): Promise<Map<string, Set<string>>> {
    const labels = new Map<string, Set<string>>();
    if (instanceKeys.length === 0) return labels;
    const rows: { labels: Record<string, string> }[] = await this.dataSource.query(
      `SELECT i.labels FROM instances i JOIN unnest($1::text[]) AS k(key) ON k.key = 'instance:' || i.service || '/' || i.name`,
      [instanceKeys],
    );
    for (const r of rows)
      for (const [k, v] of Object.entries(r.labels))
        (labels.get(k) ?? labels.set(k, new Set()).get(k))?.add(v);
    return labels;
  }
}

function toRecord(r: Row): NotificationRecord {
  return {
    id: r.id,
    incidentId: r.incident_id,
    eventKey: r.event_key,
    channelId: r.channel_id,
    ...(r.channel_name !== undefined ? { channelName: r.channel_name } : {}),
    kind: r.kind,
    topCause: r.top_cause,
    status: r.status,
    silencedBy: r.silenced_by,
    event: r.event,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    sentAt: r.sent_at?.toISOString() ?? null,
  };
}
