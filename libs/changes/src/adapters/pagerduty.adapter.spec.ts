import { ChangeValidator } from '../change-validator';
import { adaptPagerduty } from './pagerduty.adapter';
import { fixture, refusal } from './spec-support';
import { validateAdapted } from './validate-adapted';

const now = Date.parse('2020-07-17T09:00:00Z');

describe('adaptPagerduty', () => {
  // https://developer.pagerduty.com/docs/events-api-v2/send-change-events/ (Example Request Payload)
  it('reads the documented change event: payload.source as the service, +0000 offsets, links', () => {
    const { changes, ignored } = adaptPagerduty(fixture('pagerduty-change-event.json'), { now });
    expect(ignored).toEqual([]);
    expect(changes).toHaveLength(1);
    expect(changes[0].input).toEqual({
      id: expect.stringMatching(/^pagerduty:[0-9a-f]{32}$/),
      entity: 'service:acme-build-pipeline-tool-default-i-9999',
      kind: 'other',
      status: 'succeeded',
      startedAt: '2020-07-17T08:42:58.315+00:00',
      source: 'pagerduty',
      summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
      labels: { build_number: '2', build_state: 'passed', run_time: '1236s' },
      links: [{ href: 'https://acme.pagerduty.dev/build/2', text: 'View more details in Acme!' }],
    });
    // The routing key is the integration's secret-ish key: never kept.
    expect(JSON.stringify(changes[0].input)).not.toContain('samplekeyhere');
    // The same event again is the same change.
    expect(
      adaptPagerduty(fixture('pagerduty-change-event.json'), { now }).changes[0].input.id,
    ).toBe(changes[0].input.id);
    const validated = validateAdapted({ changes, ignored }, new ChangeValidator(), {
      now,
      retentionMs: 86_400_000,
    });
    expect(validated.ok).toBe(true);
  });

  it('takes the entity, kind, status and version from custom details, else ?entity=', () => {
    const event = fixture('pagerduty-change-event.json');
    event.payload.custom_details = {
      ...event.payload.custom_details,
      entity: 'backend:mysql://db-1/billing',
      kind: 'config',
      status: 'started',
      version: 'v2.3.1',
    };
    expect(adaptPagerduty(event, { now }).changes[0].input).toMatchObject({
      entity: 'backend:mysql://db-1/billing',
      kind: 'config',
      status: 'started',
      version: 'v2.3.1',
      labels: { build_number: '2', build_state: 'passed', run_time: '1236s' },
    });
    delete event.payload.custom_details.entity;
    event.payload.custom_details.service = 'billing';
    expect(adaptPagerduty(event, { now, entity: 'orders' }).changes[0].input.entity).toBe(
      'service:billing',
    );
    delete event.payload.custom_details.service;
    const viaQuery = adaptPagerduty(event, { now, entity: 'orders' }).changes[0];
    expect([viaQuery.input.entity, viaQuery.paths.entity]).toEqual(['orders', '/entity']);
  });

  it('names the sender’s field when native validation refuses it', () => {
    const validate = (event: unknown) =>
      validateAdapted(adaptPagerduty(event, { now }), new ChangeValidator(), {
        now,
        retentionMs: 86_400_000,
      });
    const event = fixture('pagerduty-change-event.json');
    event.payload.custom_details.kind = 'release';
    expect(validate(event)).toEqual({
      ok: false,
      errors: [
        {
          path: '/payload/custom_details/kind',
          reason: 'must be one of deploy, config, scale, infra, flag, other',
        },
      ],
    });
    const withLink = fixture('pagerduty-change-event.json');
    withLink.links.push({ href: 'ftp://files.example/' });
    expect(validate(withLink)).toEqual({
      ok: false,
      errors: [{ path: '/links/1/href', reason: 'must be an http or https URL' }],
    });
  });

  it('uses the receive time when the event has none, and refuses what is no change event', () => {
    const event = fixture('pagerduty-change-event.json');
    delete event.payload.timestamp;
    expect(adaptPagerduty(event, { now }).changes[0].input.startedAt).toBe(
      '2020-07-17T09:00:00.000Z',
    );
    expect(refusal(() => adaptPagerduty({ routing_key: 'k' }, { now }))).toEqual([
      {
        path: '/payload',
        reason: 'must be a PagerDuty change event: {routing_key, payload: {summary, …}, links}',
      },
    ]);
    expect(
      refusal(() =>
        adaptPagerduty({ payload: { timestamp: 'yesterday', custom_details: {} } }, { now }),
      ),
    ).toEqual([
      { path: '/payload/summary', reason: 'is required' },
      { path: '/payload/timestamp', reason: 'is not an ISO 8601 time' },
      {
        path: '/payload/source',
        reason:
          'names no entity: set payload.custom_details.entity (or .service), ?entity=, or payload.source',
      },
    ]);
  });
});
