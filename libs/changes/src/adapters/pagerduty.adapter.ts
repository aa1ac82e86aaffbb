import { createHash } from 'node:crypto';

import type { FieldError } from '@faultline/reports';

import type { ChangeInput, ChangeKind, ChangeStatus } from '../change.model';
import { CHANGE_LIMITS } from '../change.schema';
import {
  type AdaptedChanges,
  ChangeFormatError,
  cut,
  labelsFrom,
  objectAt,
  rfc3339Time,
  scalarText,
  summaryText,
  textAt,
} from './adapted-change';

/**
 * A PagerDuty Change Event (Events API v2, `POST /v2/change/enqueue`: `{routing_key, payload:
 * {summary, timestamp, source, custom_details}, links}`) as a change, so the tools that already
 * send PagerDuty their changes can send Faultline the same body.
 *
 * PagerDuty knows which service a change is on from its routing key; Faultline does not, so:
 * the entity is `payload.custom_details.entity` (an entity key or a service name), else
 * `payload.custom_details.service` (a service name), else `?entity=`, else `payload.source`
 * read as a service name (PagerDuty calls it "the unique name of the location where the Change
 * Event occurred", often the tool: name the entity when it is not the service).
 * `custom_details.kind` and `.status` are used when they are Faultline's (else the change is
 * kind `other`, status `succeeded`: PagerDuty records changes that happened),
 * `custom_details.version` (or `revision`) is the version, the other scalar custom details
 * become labels. The time is `payload.timestamp` (PagerDuty's `+0000` offsets are read), else
 * the receive time. The routing key is never stored. PagerDuty has no event id: the id is a
 * hash of the source, summary, timestamp and entity, so a retried event is one change.
 */

export interface PagerdutyOptions {
  /** `?entity=`: the entity when the event's custom details name none. */
  entity?: string;
  /** Receive time (epoch ms): the change's time when the event has no timestamp. */
  now: number;
}

/** custom_details fields read as the change's own, not copied into labels. */
const OWN_DETAILS = new Set(['entity', 'service', 'kind', 'status', 'version', 'revision']);

export function adaptPagerduty(body: unknown, options: PagerdutyOptions): AdaptedChanges {
  const event = objectAt(body);
  const payload = objectAt(event?.payload);
  if (!event || !payload)
    throw new ChangeFormatError([
      {
        path: event ? '/payload' : '/',
        reason: 'must be a PagerDuty change event: {routing_key, payload: {summary, …}, links}',
      },
    ]);
  const errors: FieldError[] = [];
  const summary = textAt(payload.summary);
  if (summary === null) errors.push({ path: '/payload/summary', reason: 'is required' });
  const details = objectAt(payload.custom_details) ?? {};
  const rawTime = textAt(payload.timestamp);
  const timestamp = rawTime === null ? null : rfc3339Time(rawTime);
  if (rawTime !== null && timestamp === null)
    errors.push({ path: '/payload/timestamp', reason: 'is not an ISO 8601 time' });
  const entity = entityOf(details, payload, options);
  if (entity === null)
    errors.push({
      path: '/payload/source',
      reason:
        'names no entity: set payload.custom_details.entity (or .service), ?entity=, or payload.source',
    });
  const links = linksOf(event.links, errors);
  if (errors.length > 0 || summary === null || entity === null) throw new ChangeFormatError(errors);

  const startedAt = timestamp ?? new Date(options.now).toISOString();
  const version = scalarText(details.version) ?? scalarText(details.revision);
  const input: ChangeInput = {
    id: `pagerduty:${createHash('sha256')
      .update(JSON.stringify([textAt(payload.source), summary, rawTime, entity.value]))
      .digest('hex')
      .slice(0, 32)}`,
    entity: entity.value,
    kind: (textAt(details.kind) ?? 'other') as ChangeKind,
    status: (textAt(details.status) ?? 'succeeded') as ChangeStatus,
    startedAt,
    source: 'pagerduty',
    summary: summaryText(summary),
    labels: labelsFrom(
      Object.entries(details)
        .filter(([key]) => !OWN_DETAILS.has(key))
        .map(([key, value]) => [key, scalarText(value)]),
    ),
  };
  if (version !== null) input.version = cut(version, CHANGE_LIMITS.versionLength);
  if (links.length > 0) input.links = links;
  return {
    changes: [
      {
        input,
        paths: {
          entity: entity.path,
          kind: '/payload/custom_details/kind',
          status: '/payload/custom_details/status',
          startedAt: '/payload/timestamp',
          version: `/payload/custom_details/${details.version !== undefined ? 'version' : 'revision'}`,
          summary: '/payload/summary',
          links: '/links',
          labels: '/payload/custom_details',
        },
      },
    ],
    ignored: [],
  };
}

function entityOf(
  details: Record<string, unknown>,
  payload: Record<string, unknown>,
  options: PagerdutyOptions,
): { value: string; path: string } | null {
  const entity = textAt(details.entity);
  if (entity !== null) return { value: entity, path: '/payload/custom_details/entity' };
  const service = textAt(details.service);
  if (service !== null)
    return { value: `service:${service}`, path: '/payload/custom_details/service' };
  if (options.entity !== undefined) return { value: options.entity, path: '/entity' };
  const source = textAt(payload.source);
  return source === null ? null : { value: `service:${source}`, path: '/payload/source' };
}

function linksOf(value: unknown, errors: FieldError[]): { href: string; text?: string }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    errors.push({ path: '/links', reason: 'must be an array of {href, text}' });
    return [];
  }
  const links: { href: string; text?: string }[] = [];
  value.slice(0, CHANGE_LIMITS.links).forEach((item, i) => {
    const link = objectAt(item);
    const href = textAt(link?.href);
    if (href === null) {
      errors.push({ path: `/links/${i}/href`, reason: 'is required' });
      return;
    }
    const text = textAt(link?.text);
    links.push(text === null ? { href } : { href, text: cut(text, CHANGE_LIMITS.linkTextLength) });
  });
  return links;
}
