import { createHmac } from 'node:crypto';

import type { NotificationEvent } from '../notification.model';
import { changeFields } from './change-text';
import { headline } from './headline';
import { incidentPageUrl } from './incident-link';

/**
 * Generic webhook: a JSON body for machines, carrying the whole incident, and headers for
 * idempotency and authenticity.
 *
 * Body: {version: 1, event: <kind>, id, severity, createdAt, summary: <headline>, incident: {id,
 * status, openedAt, resolvedAt, firstEvidenceAt?, rootCauses: [{key, kind, confidence, summary, change?, changes?}],
 * affected: {services, instances}, previousTopCause?,
 * recovered?, flapping?, cycles?, url, dashboardUrl}}: url is the API's JSON route (for a machine
 * to fetch), dashboardUrl the incident's page in the dashboard (for a person, incidentPageUrl). event is opened, cause-changed, repeat, resolved or
 * reopened (the incident resolved, then its cause failed again: same incident id, flapping true,
 * cycles when known). Fields are written in that fixed order, so the same event gives the same
 * bytes whatever key order the caller's object had, and lists keep the event's order (causes are
 * ranked; the engine already sorts services and instances).
 *
 * Headers: content-type application/json; X-Faultline-Event-Id: event.id, the key a receiver
 * dedupes retries on; X-Faultline-Signature: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<body>")>` when a secret is given, the scheme Faultline's own push intake verifies. The
 * time comes from `atMs` (the delivery attempt), never from the clock, so the renderer stays pure.
 *
 * Preconditions: atMs is a finite number; a given secret is not empty (an empty key would sign
 * with no secret at all, so it is refused rather than pretending to authenticate).
 */

export interface WebhookMessage {
  /** JSON text, exactly the bytes that were signed. */
  body: string;
  headers: Record<string, string>;
}

export const WEBHOOK_BODY_VERSION = 1;
export const EVENT_ID_HEADER = 'X-Faultline-Event-Id';
export const SIGNATURE_HEADER = 'X-Faultline-Signature';

export function renderWebhook(
  event: NotificationEvent,
  opts: { secret?: string; atMs: number },
): WebhookMessage {
  if (!Number.isFinite(opts.atMs))
    throw new TypeError(`atMs must be a finite number of milliseconds, got ${opts.atMs}`);
  if (opts.secret !== undefined && opts.secret.length === 0)
    throw new TypeError('a webhook secret, when given, must not be empty');
  const body = JSON.stringify(webhookBody(event));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [EVENT_ID_HEADER]: event.id,
  };
  if (opts.secret !== undefined)
    headers[SIGNATURE_HEADER] = signature(opts.secret, body, opts.atMs);
  return { body, headers };
}

function webhookBody(event: NotificationEvent): object {
  const { incident } = event;
  return {
    version: WEBHOOK_BODY_VERSION,
    event: event.kind,
    id: event.id,
    severity: event.severity,
    createdAt: event.createdAt,
    summary: headline(event),
    incident: {
      id: incident.id,
      status: incident.status,
      openedAt: incident.openedAt,
      resolvedAt: incident.resolvedAt,
      ...(incident.firstEvidenceAt !== undefined && { firstEvidenceAt: incident.firstEvidenceAt }),
      rootCauses: incident.rootCauses.map((c) => ({
        key: c.key,
        kind: c.kind,
        confidence: c.confidence,
        summary: c.summary,
        // A change as the cause, and the changes in a cause's evidence: {id, entity, kind, status,
        // startedAt, version, source, summary}, only when the incident names them.
        ...(c.change && { change: changeFields(c.change) }),
        ...(c.changes && { changes: c.changes.map(changeFields) }),
      })),
      affected: {
        services: [...incident.affected.services],
        instances: [...incident.affected.instances],
      },
      ...(incident.previousTopCause !== undefined && {
        previousTopCause: incident.previousTopCause,
      }),
      ...(incident.recovered !== undefined && {
        recovered: incident.recovered.map((r) => ({
          service: r.service,
          instances: [...r.instances],
        })),
      }),
      ...(incident.flapping !== undefined && { flapping: incident.flapping }),
      ...(incident.cycles !== undefined && { cycles: incident.cycles }),
      url: incident.url,
      dashboardUrl: incidentPageUrl(incident.url),
    },
  };
}

function signature(secret: string, body: string, atMs: number): string {
  const t = Math.floor(atMs / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}
