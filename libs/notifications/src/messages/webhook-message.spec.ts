import { createHmac } from 'node:crypto';

import type { NotificationEvent } from '../notification.model';
import {
  API_URL,
  CONFIG,
  configEvidenceEvent,
  DEPLOY,
  deployEvent,
  openedEvent,
  PAGE_URL,
  reopenedEvent,
  resolvedEvent,
  stormEvent,
} from './spec-support';
import { renderWebhook } from './webhook-message';

const AT_MS = 1_740_823_205_678;

describe('renderWebhook', () => {
  it('carries the event kind, id, severity, one-line summary and every incident field', () => {
    const event = resolvedEvent();
    const body = JSON.parse(renderWebhook(event, { atMs: AT_MS }).body);
    expect(body).toEqual({
      version: 1,
      event: 'resolved',
      id: 'inc-lq2x1-9f3a:resolved',
      severity: 'critical',
      createdAt: event.createdAt,
      summary: 'Resolved: backend:amqp://rabbit-1:5672 (12 min 30 s), 5 instances recovered',
      incident: { ...event.incident, dashboardUrl: PAGE_URL },
    });
    // url stays the API's route, for a machine to fetch; a person gets the dashboard's page.
    expect(body.incident.url).toBe(API_URL);
  });

  it('sends the event id as idempotency key and no signature without a secret', () => {
    const { headers } = renderWebhook(openedEvent(), { atMs: AT_MS });
    expect(headers).toEqual({
      'content-type': 'application/json',
      'X-Faultline-Event-Id': 'inc-lq2x1-9f3a:opened',
    });
  });

  it('signs "<t>.<body>" with HMAC-SHA256, t in unix seconds from atMs', () => {
    const secret = 'whsec-test-1';
    const { body, headers } = renderWebhook(openedEvent(), { secret, atMs: AT_MS });
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers['X-Faultline-Signature'] ?? '');
    expect(match).not.toBeNull();
    const [, t, v1] = match!;
    expect(Number(t)).toBe(1_740_823_205);
    expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
    // A different secret or a changed body does not verify.
    expect(v1).not.toBe(createHmac('sha256', 'other').update(`${t}.${body}`).digest('hex'));
    expect(v1).not.toBe(
      createHmac('sha256', secret)
        .update(`${t}.${body.replace('rabbit-1', 'rabbit-2')}`)
        .digest('hex'),
    );
  });

  it('is deterministic: same event (whatever its key order) and time give the same bytes and signature', () => {
    const event = stormEvent();
    const reordered = JSON.parse(
      JSON.stringify(event, Object.keys(flatKeys(event)).sort().reverse()),
    ) as NotificationEvent;
    expect(Object.keys(reordered)).not.toEqual(Object.keys(event));
    const a = renderWebhook(event, { secret: 's', atMs: AT_MS });
    expect(renderWebhook(structuredClone(event), { secret: 's', atMs: AT_MS })).toEqual(a);
    expect(renderWebhook(reordered, { secret: 's', atMs: AT_MS })).toEqual(a);
    expect(
      renderWebhook(event, { secret: 's', atMs: AT_MS + 1000 }).headers['X-Faultline-Signature'],
    ).not.toBe(a.headers['X-Faultline-Signature']);
  });

  it('refuses an empty secret and a time that is not a number', () => {
    expect(() => renderWebhook(openedEvent(), { secret: '', atMs: AT_MS })).toThrow(TypeError);
    expect(() => renderWebhook(openedEvent(), { atMs: Number.NaN })).toThrow(TypeError);
  });

  it('sends a reopened event with the same incident id, flapping and its cycle', () => {
    const body = JSON.parse(renderWebhook(reopenedEvent(3), { atMs: AT_MS }).body);
    expect(body).toMatchObject({
      event: 'reopened',
      id: 'inc-lq2x1-9f3a:reopened:1',
      summary: expect.stringContaining('is failing again (flapping, cycle 3)'),
      incident: { id: 'inc-lq2x1-9f3a', status: 'open', flapping: true, cycles: 3 },
    });
    expect(Object.keys(body.incident).slice(-4)).toEqual([
      'flapping',
      'cycles',
      'url',
      'dashboardUrl',
    ]);
    expect(
      JSON.parse(renderWebhook(openedEvent(), { atMs: AT_MS }).body).incident,
    ).not.toHaveProperty('flapping');
  });

  it('adds the change to the root causes that name one, and the first symptom, renaming nothing', () => {
    const event = deployEvent();
    const body = JSON.parse(renderWebhook(event, { atMs: AT_MS }).body);
    expect(body.incident.firstEvidenceAt).toBe('2025-03-01T12:00:45.000Z');
    expect(body.incident.rootCauses).toEqual([
      {
        key: 'change:deploy-4411',
        kind: 'change',
        confidence: 0.9,
        summary: event.incident.rootCauses[0].summary,
        change: DEPLOY,
      },
      {
        key: 'service:billing',
        kind: 'service',
        confidence: 0.6,
        summary: '3 of 3 instances fail',
      },
    ]);
    expect(Object.keys(body.incident.rootCauses[0])).toEqual([
      'key',
      'kind',
      'confidence',
      'summary',
      'change',
    ]);
    const config = JSON.parse(renderWebhook(configEvidenceEvent(), { atMs: AT_MS }).body);
    expect(config.incident.rootCauses[0]).toEqual({
      key: 'backend:amqp://rabbit-1:5672',
      kind: 'backend',
      confidence: 0.93,
      summary: '18 of 18 dependents lost it within 4 s',
      changes: [CONFIG],
    });
    expect(config.incident.rootCauses[1]).not.toHaveProperty('changes');
  });
});

/** Every property name in an object tree, for a JSON.stringify replacer list that reorders keys. */
function flatKeys(value: unknown, into: Record<string, true> = {}): Record<string, true> {
  if (Array.isArray(value)) value.forEach((v) => flatKeys(v, into));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      into[key] = true;
      flatKeys(child, into);
    }
  }
  return into;
}
