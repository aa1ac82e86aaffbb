import type { NotificationChange, NotificationEvent } from '../notification.model';

/** Specs only: notification events to render. */

export const RABBIT = 'backend:amqp://rabbit-1:5672';
/** incident.url as the scheduler writes it: the API's route. */
export const API_URL = 'https://faultline.example.com/api/v1/incidents/inc-lq2x1-9f3a';
/** What people are sent to instead: the incident's page in the dashboard. */
export const PAGE_URL = 'https://faultline.example.com/#/incidents/inc-lq2x1-9f3a';

/** An opened incident: rabbit-1 down, two services, five instances; `changes` override fields (incident fields merge). */
export function openedEvent(
  changes: Partial<Omit<NotificationEvent, 'incident'>> & {
    incident?: Partial<NotificationEvent['incident']>;
  } = {},
): NotificationEvent {
  const { incident, ...rest } = changes;
  return {
    id: 'inc-lq2x1-9f3a:opened',
    kind: 'opened',
    severity: 'critical',
    createdAt: '2025-03-01T10:00:05.000Z',
    ...rest,
    incident: {
      id: 'inc-lq2x1-9f3a',
      status: 'open',
      openedAt: '2025-03-01T10:00:00.000Z',
      resolvedAt: null,
      rootCauses: [
        {
          key: RABBIT,
          kind: 'backend',
          confidence: 0.93,
          summary: '18 of 18 dependents lost it within 4 s',
        },
        {
          key: 'host:rabbit-1',
          kind: 'host',
          confidence: 0.41,
          summary: 'the host of rabbit-1 stopped reporting',
        },
      ],
      affected: {
        services: ['nova-api', 'cinder-volume'],
        instances: [
          'instance:nova-api/nova-api-2',
          'instance:cinder-volume/cv-1',
          'instance:nova-api/nova-api-1',
          'instance:nova-api/nova-api-3',
          'instance:cinder-volume/cv-2',
        ],
      },
      url: API_URL,
      ...incident,
    },
  };
}

/** The same incident, resolved 12 min 30 s after it opened, with what recovered. */
export function resolvedEvent(): NotificationEvent {
  return openedEvent({
    id: 'inc-lq2x1-9f3a:resolved',
    kind: 'resolved',
    incident: {
      status: 'resolved',
      resolvedAt: '2025-03-01T10:12:30.000Z',
      recovered: [
        { service: 'nova-api', instances: ['nova-api-3', 'nova-api-1', 'nova-api-2'] },
        { service: 'cinder-volume', instances: ['cv-1', 'cv-2'] },
      ],
    },
  });
}

/** The same incident reopened (it resolved, then rabbit-1 failed again): with `cycles` when given. */
export function reopenedEvent(cycles?: number): NotificationEvent {
  return openedEvent({
    id: 'inc-lq2x1-9f3a:reopened:1',
    kind: 'reopened',
    incident: { flapping: true, ...(cycles !== undefined && { cycles }) },
  });
}

export const SERVICE_COUNT = 20;
export const INSTANCE_COUNT = 500;
export const serviceName = (i: number): string => `service-${String(i).padStart(2, '0')}`;

/** A storm: 500 instances across 20 services (25 each), listed in reverse order so renderers must sort. */
export function stormEvent(kind: NotificationEvent['kind'] = 'opened'): NotificationEvent {
  const services = Array.from({ length: SERVICE_COUNT }, (_, i) => serviceName(i)).reverse();
  const instances = Array.from(
    { length: INSTANCE_COUNT },
    (_, i) => `instance:${serviceName(i % SERVICE_COUNT)}/pod-${String(i).padStart(4, '0')}`,
  ).reverse();
  return openedEvent({
    id: `inc-storm:${kind}`,
    kind,
    incident: {
      id: 'inc-storm',
      status: kind === 'resolved' ? 'resolved' : 'open',
      resolvedAt: kind === 'resolved' ? '2025-03-01T11:05:00.000Z' : null,
      affected: { services, instances },
      ...(kind === 'cause-changed' && { previousTopCause: 'host:rabbit-1' }),
    },
  });
}

/** billing's deploy of v2.3.1 at 12:00:05, from CI: 40 s before the first failure of deployEvent. */
export const DEPLOY: NotificationChange = {
  id: 'deploy-4411',
  entity: 'service:billing',
  kind: 'deploy',
  status: 'succeeded',
  startedAt: '2025-03-01T12:00:05.000Z',
  version: 'v2.3.1',
  source: 'ci',
  summary: 'billing v2.3.1 (CI run 4411)',
};

/** A config push on the broker, 2 min before the first failure of configEvidenceEvent. */
export const CONFIG: NotificationChange = {
  id: 'cfg-42',
  entity: RABBIT,
  kind: 'config',
  status: 'succeeded',
  startedAt: '2025-03-01T09:57:55.000Z',
  version: 'v42',
  source: 'argo',
  summary: 'max connections 50',
};

/** The top cause is a change: billing deployed, its 3 instances began failing 40 s later. */
export function deployEvent(
  changes: Partial<NotificationChange> = {},
  cause: Partial<NotificationEvent['incident']['rootCauses'][number]> = {},
): NotificationEvent {
  return openedEvent({
    id: 'inc-deploy:opened',
    incident: {
      id: 'inc-deploy',
      openedAt: '2025-03-01T12:00:50.000Z',
      firstEvidenceAt: '2025-03-01T12:00:45.000Z',
      rootCauses: [
        {
          key: 'change:deploy-4411',
          kind: 'change',
          confidence: 0.9,
          summary:
            'billing deployed v2.3.1 at 12:00:05 (ci: CI run 4411); 3 of 3 instances began failing 40 s later',
          change: { ...DEPLOY, ...changes },
          ...cause,
        },
        {
          key: 'service:billing',
          kind: 'service',
          confidence: 0.6,
          summary: '3 of 3 instances fail',
        },
      ],
      affected: {
        services: ['billing', 'checkout'],
        instances: [
          'instance:billing/billing-1',
          'instance:billing/billing-2',
          'instance:billing/billing-3',
          'instance:checkout/checkout-1',
        ],
      },
    },
  });
}

/**
 * The broker is still the cause; it was reconfigured 2 min before: its `changes` name the change,
 * and its summary too when `summary` is given (as the engine writes it).
 */
export function configEvidenceEvent(
  changes: NotificationChange[] = [CONFIG],
  summary?: string,
): NotificationEvent {
  const base = openedEvent();
  const top = base.incident.rootCauses[0];
  return openedEvent({
    incident: {
      firstEvidenceAt: '2025-03-01T09:59:55.000Z',
      rootCauses: [
        { ...top, summary: summary ?? top.summary, changes },
        base.incident.rootCauses[1],
      ],
    },
  });
}
