import { createHmac, timingSafeEqual } from 'node:crypto';

import type { FieldError } from '@faultline/reports';

import type { ChangeInput, ChangeStatus } from '../change.model';
import { CHANGE_LIMITS } from '../change.schema';
import {
  type AdaptedChanges,
  ChangeFormatError,
  cut,
  labelsFrom,
  objectAt,
  scalarText,
  summaryText,
  textAt,
} from './adapted-change';

/**
 * GitHub's `deployment_status` webhook as a change: one change per deployment (id
 * `github:<owner>/<repo>/deployments/<deployment id>`), its statuses updating it.
 *
 *   pending, queued, waiting, in_progress  → started
 *   success                                → succeeded (finishedAt: the status's time)
 *   failure, error                         → failed    (finishedAt: the status's time)
 *   inactive                               → ignored: GitHub marks a deployment inactive when a
 *                                            later one replaces it, which is that one's change
 * Other events (`ping` when the webhook is created, `deployment`, …) are ignored, not refused.
 *
 * The entity is `service:<?service=>` when given, else `service:<the push source's service>`,
 * else `service:<repository name>` (a repository per service is the common case; the
 * environment, "production", names no service). startedAt is the deployment's creation time,
 * version its sha, and the environment, ref, task and creator are labels.
 */

export const GITHUB_EVENT_HEADER = 'x-github-event';
export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';

const STATES: Readonly<Record<string, ChangeStatus | 'ignored'>> = {
  pending: 'started',
  queued: 'started',
  waiting: 'started',
  in_progress: 'started',
  success: 'succeeded',
  failure: 'failed',
  error: 'failed',
  inactive: 'ignored',
};

export interface GithubOptions {
  /** `?service=`, else the push source's service: the service every deployment is of. */
  service?: string;
  /** Where `service` came from, for errors: `/service` (the query) or `/source` (the push source's). */
  servicePath?: string;
}

export function adaptGithubDeploymentStatus(
  event: string | undefined,
  body: unknown,
  options: GithubOptions = {},
): AdaptedChanges {
  if (event !== 'deployment_status')
    return {
      changes: [],
      ignored: [
        {
          path: `header:${GITHUB_EVENT_HEADER}`,
          reason: `${event === undefined ? 'is missing' : `"${cut(event, 100)}"`}: only deployment_status events are changes`,
        },
      ],
    };
  const doc = objectAt(body);
  const status = objectAt(doc?.deployment_status);
  const deployment = objectAt(doc?.deployment);
  const repository = objectAt(doc?.repository);
  const errors: FieldError[] = [];
  for (const [value, path] of [
    [status, '/deployment_status'],
    [deployment, '/deployment'],
    [repository, '/repository'],
  ] as const)
    if (value === null) errors.push({ path, reason: 'is required (an object)' });
  if (!status || !deployment || !repository) throw new ChangeFormatError(errors);

  const state = textAt(status.state);
  const mapped = state === null ? undefined : STATES[state];
  if (mapped === undefined)
    throw new ChangeFormatError([
      {
        path: '/deployment_status/state',
        reason: `must be one of ${Object.keys(STATES).join(', ')}`,
      },
    ]);
  if (mapped === 'ignored')
    return {
      changes: [],
      ignored: [
        {
          path: '/deployment_status/state',
          reason: 'inactive: a later deployment replaced this one; that one is the change',
        },
      ],
    };
  const fullName = textAt(repository.full_name);
  const repoName = textAt(repository.name);
  const deploymentId = scalarText(deployment.id);
  const createdAt = textAt(deployment.created_at);
  for (const [value, path] of [
    [fullName, '/repository/full_name'],
    [repoName, '/repository/name'],
    [deploymentId, '/deployment/id'],
    [createdAt, '/deployment/created_at'],
  ] as const)
    if (value === null) errors.push({ path, reason: 'is required' });
  if (!fullName || !repoName || !deploymentId || !createdAt) throw new ChangeFormatError(errors);

  const environment = textAt(status.environment) ?? textAt(deployment.environment);
  const ref = textAt(deployment.ref);
  const sha = textAt(deployment.sha);
  const description = textAt(status.description) ?? textAt(deployment.description);
  const finished = mapped !== 'started';
  const statusTime = textAt(status.created_at) ?? textAt(status.updated_at);
  const summary = [
    `${fullName}: deploy of ${ref ?? sha?.slice(0, 7) ?? `#${deploymentId}`}`,
    ref !== null && sha !== null ? ` (${sha.slice(0, 7)})` : '',
    environment !== null ? ` to ${environment}` : '',
    ` ${state!.replace('_', ' ')}`,
    description !== null ? `: ${description}` : '',
  ].join('');
  const links = [
    [textAt(status.target_url), 'run'],
    [textAt(status.log_url), 'log'],
    [textAt(status.environment_url), environment ?? 'environment'],
    [
      sha !== null && textAt(repository.html_url) !== null
        ? `${textAt(repository.html_url)}/commit/${sha}`
        : null,
      'commit',
    ],
  ]
    .filter((l): l is [string, string] => l[0] !== null && /^https?:\/\//i.test(l[0]))
    .map(([href, text]) => ({ href, text }));

  const input: ChangeInput = {
    id: `github:${fullName}/deployments/${deploymentId}`,
    entity: `service:${options.service ?? repoName}`,
    kind: 'deploy',
    status: mapped,
    startedAt: createdAt,
    source: 'github',
    summary: summaryText(summary),
    labels: labelsFrom([
      ['repository', fullName],
      ['environment', environment],
      ['ref', ref],
      ['task', textAt(deployment.task)],
      ['creator', textAt(objectAt(deployment.creator)?.login)],
    ]),
  };
  if (finished && statusTime !== null) input.finishedAt = statusTime;
  if (sha !== null) input.version = cut(sha, CHANGE_LIMITS.versionLength);
  if (links.length > 0) input.links = links;
  return {
    changes: [
      {
        input,
        paths: {
          id: '/deployment/id',
          entity:
            options.service !== undefined
              ? (options.servicePath ?? '/service')
              : '/repository/name',
          startedAt: '/deployment/created_at',
          finishedAt: '/deployment_status/created_at',
          version: '/deployment/sha',
          links: '/deployment_status',
          labels: '/deployment',
        },
      },
    ],
    ignored: [],
  };
}

export type GithubSignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks GitHub's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>` in constant
 * time. GitHub signs only the body (no timestamp), so a captured delivery could be sent again:
 * harmless here, as a delivery is idempotent (the same body gives the same change).
 */
export function verifyGithubSignature(
  secret: string,
  header: string | undefined,
  rawBody: string,
): GithubSignatureCheck {
  if (!header)
    return {
      ok: false,
      reason: `is missing: set the webhook's secret to the push source's secret`,
    };
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return { ok: false, reason: 'must look like sha256=<64 hex characters>' };
  const expected = Buffer.from(githubSignature(secret, rawBody).slice('sha256='.length), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(match[1].toLowerCase(), 'hex')))
    return { ok: false, reason: 'does not match the body: a different secret, or a changed body' };
  return { ok: true };
}

/** The X-Hub-Signature-256 value GitHub sends for `rawBody` (for tests and clients). */
export function githubSignature(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}
