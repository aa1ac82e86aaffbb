import {
  PAGERDUTY_SUMMARY_MAX,
  pagerDutyDedupKey,
  type PagerDutyTrigger,
  renderPagerDuty,
} from './pagerduty-event';
import {
  API_URL,
  CONFIG,
  configEvidenceEvent,
  DEPLOY,
  deployEvent,
  openedEvent,
  PAGE_URL,
  RABBIT,
  reopenedEvent,
  resolvedEvent,
  serviceName,
  stormEvent,
} from './spec-support';

const ROUTING_KEY = 'R0ENKEYR0ENKEYR0ENKEYR0ENKEY1234';

describe('renderPagerDuty', () => {
  it('triggers an alert that names the cause, its evidence and the grouped spread', () => {
    const event = stormEvent();
    expect(renderPagerDuty(event, ROUTING_KEY)).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'faultline-inc-storm',
      payload: {
        summary: `${RABBIT} is the likely cause: 18 of 18 dependents lost it within 4 s (confidence 93 %); 20 services, 500 instances affected`,
        source: RABBIT,
        severity: 'critical',
        timestamp: '2025-03-01T10:00:00.000Z',
        component: 'amqp://rabbit-1:5672',
        group: 'service-00',
        class: 'backend',
        custom_details: {
          notification: 'opened',
          cause: RABBIT,
          evidence: '18 of 18 dependents lost it within 4 s',
          confidence: '93 %',
          causes: [
            `${RABBIT} (backend, 93 %): 18 of 18 dependents lost it within 4 s`,
            'host:rabbit-1 (host, 41 %): the host of rabbit-1 stopped reporting',
          ],
          affected_services: Array.from({ length: 20 }, (_, i) =>
            expect.stringMatching(
              new RegExp(
                `^${serviceName(i)}: 25 instances \\(pod-\\d{4}, pod-\\d{4}, pod-\\d{4} \\+22 more\\)$`,
              ),
            ),
          ),
          affected_service_count: 20,
          affected_instance_count: 500,
          incident_id: 'inc-storm',
          incident_url: PAGE_URL,
          incident_api_url: API_URL,
        },
      },
      client: 'Faultline',
      client_url: PAGE_URL,
      links: [{ href: PAGE_URL, text: 'Faultline incident inc-storm' }],
    });
  });

  it('resolves with the routing key and dedup_key only', () => {
    expect(renderPagerDuty(resolvedEvent(), ROUTING_KEY)).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'faultline-inc-lq2x1-9f3a',
    });
  });

  it('keeps one dedup_key over the incident life, so updates and the resolve hit the same alert', () => {
    const keys = (['opened', 'repeat', 'cause-changed', 'resolved'] as const).map(
      (kind) => renderPagerDuty(stormEvent(kind), ROUTING_KEY).dedup_key,
    );
    expect(new Set(keys)).toEqual(new Set(['faultline-inc-storm']));
    expect(
      (['repeat', 'cause-changed'] as const).map(
        (kind) => renderPagerDuty(stormEvent(kind), ROUTING_KEY).event_action,
      ),
    ).toEqual(['trigger', 'trigger']);
    expect(pagerDutyDedupKey('inc-storm')).toBe('faultline-inc-storm');
  });

  it('carries the previous cause of a cause change and a warning severity as given', () => {
    const trigger = renderPagerDuty(stormEvent('cause-changed'), ROUTING_KEY) as PagerDutyTrigger;
    expect(trigger.payload.custom_details).toMatchObject({
      notification: 'cause-changed',
      previous_cause: 'host:rabbit-1',
    });
    const warning = renderPagerDuty(
      openedEvent({ severity: 'warning' }),
      ROUTING_KEY,
    ) as PagerDutyTrigger;
    expect(warning.payload.severity).toBe('warning');
    expect(warning.payload.group).toBe('cinder-volume'); // first affected service by name
  });

  it('keeps the summary within 1024 characters and one line', () => {
    const event = openedEvent({
      incident: {
        rootCauses: [
          {
            key: `backend:http://${'h'.repeat(5000)}:80`,
            kind: 'backend',
            confidence: 1,
            summary: 'x\n'.repeat(3000),
          },
        ],
      },
    });
    const { summary } = (renderPagerDuty(event, ROUTING_KEY) as PagerDutyTrigger).payload;
    expect(summary.length).toBeLessThanOrEqual(PAGERDUTY_SUMMARY_MAX);
    expect(summary).not.toContain('\n');
  });

  it('bounds custom_details for very wide incidents', () => {
    const services = Array.from({ length: 120 }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
    const event = openedEvent({
      incident: { affected: { services, instances: services.map((s) => `instance:${s}/a`) } },
    });
    const details = (renderPagerDuty(event, ROUTING_KEY) as PagerDutyTrigger).payload
      .custom_details;
    expect(details.affected_services).toHaveLength(51);
    expect((details.affected_services as string[]).at(-1)).toBe('…and 70 more services');
    expect(details.affected_service_count).toBe(120);
  });

  it('leaves out links that are not http(s) URLs and refuses a missing routing key', () => {
    const trigger = renderPagerDuty(
      openedEvent({ incident: { url: 'javascript:alert(1)' } }),
      ROUTING_KEY,
    ) as PagerDutyTrigger;
    expect(trigger.links).toEqual([]);
    expect(trigger).not.toHaveProperty('client_url');
    expect(() => renderPagerDuty(openedEvent(), '')).toThrow(TypeError);
    expect(() =>
      renderPagerDuty(openedEvent({ incident: { id: 'x'.repeat(300) } }), ROUTING_KEY),
    ).toThrow(RangeError);
  });

  it('is deterministic', () => {
    expect(renderPagerDuty(stormEvent(), ROUTING_KEY)).toEqual(
      renderPagerDuty(structuredClone(stormEvent()), ROUTING_KEY),
    );
    expect(JSON.stringify(renderPagerDuty(stormEvent(), ROUTING_KEY))).toBe(
      JSON.stringify(renderPagerDuty(stormEvent(), ROUTING_KEY)),
    );
  });

  it('triggers a reopened incident again under the same dedup_key, saying it flaps', () => {
    const event = renderPagerDuty(reopenedEvent(3), ROUTING_KEY) as PagerDutyTrigger;
    expect(event).toMatchObject({
      event_action: 'trigger',
      dedup_key: pagerDutyDedupKey('inc-lq2x1-9f3a'),
      payload: {
        summary: expect.stringContaining('is failing again (flapping, cycle 3)'),
        custom_details: { notification: 'reopened', flapping: true, cycles: 3 },
      },
    });
    expect(event.dedup_key).toBe(renderPagerDuty(resolvedEvent(), ROUTING_KEY).dedup_key);
  });

  it('adds the change to custom_details, beside the unchanged fields, when it is the cause or in its evidence', () => {
    const deploy = renderPagerDuty(deployEvent(), ROUTING_KEY) as PagerDutyTrigger;
    expect(deploy.payload).toMatchObject({
      source: 'change:deploy-4411',
      class: 'change',
      component: 'deploy-4411',
    });
    expect(deploy.payload.custom_details).toMatchObject({
      cause: 'change:deploy-4411',
      evidence:
        'billing deployed v2.3.1 at 12:00:05 (ci: CI run 4411); 3 of 3 instances began failing 40 s later',
      change: DEPLOY,
      change_text:
        'billing deployed v2.3.1 at 12:00:05 UTC (ci) — 3 of 3 instances began failing 40 s later',
    });
    expect(deploy.payload.custom_details).not.toHaveProperty('changes');
    const config = renderPagerDuty(configEvidenceEvent(), ROUTING_KEY) as PagerDutyTrigger;
    expect(config.payload.custom_details).toMatchObject({
      cause: RABBIT,
      evidence: '18 of 18 dependents lost it within 4 s',
      changes: [CONFIG],
      change_text: 'reconfigured 2 min before (config v42, argo)',
    });
    expect(config.payload.custom_details).not.toHaveProperty('change');
    // Without changes, custom_details is as it was.
    const plain = renderPagerDuty(openedEvent(), ROUTING_KEY) as PagerDutyTrigger;
    for (const field of ['change', 'changes', 'change_text'])
      expect(plain.payload.custom_details).not.toHaveProperty(field);
  });
});
