import { PushSourceService } from '@faultline/collectors';
import {
  bindingAllows,
  ConflictError,
  describeBinding,
  type FaultlineConfig,
  ForbiddenError,
  InjectConfig,
  InvalidInputError,
  JobName,
  JobProducer,
  type ServiceBinding,
  UnauthenticatedError,
} from '@faultline/platform';
import type { FieldError } from '@faultline/reports';
import { Injectable } from '@nestjs/common';

import {
  adaptCdevents,
  type AdaptedChanges,
  adaptGithubDeploymentStatus,
  adaptPagerduty,
  ChangeFormatError,
  GITHUB_SIGNATURE_HEADER,
  validateAdapted,
  verifyGithubSignature,
} from '../adapters';
import { owningService } from '../change-entity';
import {
  type ChangeValidationContext,
  ChangeValidator,
  type ValidChange,
} from '../change-validator';
import { ChangeRepository } from './change.repository';
import { toChange } from './change-views';

const DAY_MS = 86_400_000;

/** What a post of changes is answered: how many changes it held, their ids, what was not read. */
export interface ChangesAccepted {
  accepted: number;
  ids: string[];
  /** Adapters only: parts of the document that are no change Faultline records, and why. */
  ignored?: FieldError[];
}

/** A GitHub webhook delivery as received. */
export interface GithubDelivery {
  /** X-GitHub-Event */
  event: string | undefined;
  /** X-Hub-Signature-256 */
  signature: string | undefined;
  /** The body exactly as sent (the signature covers it). */
  rawBody: string;
  body: unknown;
  /** `?source=`: the push source whose secret signs the webhook. */
  sourceId: string | undefined;
  /** `?service=`: the service every deployment is of. */
  service: string | undefined;
}

/**
 * Changes posted natively or in a sender's format (CDEvents, PagerDuty change events, GitHub
 * deployment_status): validated all or nothing, checked against the token's service binding,
 * written to Postgres in one statement (changes are few: no queue in between), then handed to
 * the correlation engine as a Correlate job carrying the stored changes.
 */
@Injectable()
export class ChangeIntake {
  private readonly validator = new ChangeValidator();

  constructor(
    private readonly changes: ChangeRepository,
    private readonly producer: JobProducer,
    private readonly sources: PushSourceService,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {}

  /** `POST /api/v1/changes`: one change or an array of them. */
  async post(body: unknown, binding: ServiceBinding, now = Date.now()): Promise<ChangesAccepted> {
    const result = this.validator.validate(body, this.context(now));
    if (!result.ok) throw new InvalidInputError(result.errors, 'invalid changes');
    return this.store(result.changes, binding);
  }

  /** `POST /api/v1/changes/cdevents`: a CDEvent, a CloudEvent carrying one, or an array. */
  postCdevents(
    body: unknown,
    options: { entity?: string },
    binding: ServiceBinding,
    now = Date.now(),
  ): Promise<ChangesAccepted> {
    return this.adapted(() => adaptCdevents(body, options), 'CDEvents', binding, now);
  }

  /** `POST /api/v1/changes/pagerduty`: a PagerDuty change event. */
  postPagerduty(
    body: unknown,
    options: { entity?: string },
    binding: ServiceBinding,
    now = Date.now(),
  ): Promise<ChangesAccepted> {
    return this.adapted(
      () => adaptPagerduty(body, { ...options, now }),
      'PagerDuty change event',
      binding,
      now,
    );
  }

  /**
   * `POST /api/v1/changes/github?source=<id>`: a GitHub webhook delivery, signed with the push
   * source's secret (the webhook's secret is the source's, sealed at rest like every push
   * secret). Checked before anything in it is read.
   */
  async postGithub(
    delivery: GithubDelivery,
    binding: ServiceBinding,
    now = Date.now(),
  ): Promise<ChangesAccepted> {
    if (delivery.sourceId === undefined)
      throw new InvalidInputError([
        {
          path: '/source',
          reason:
            'is required: the push source whose secret the webhook signs with (PUT /api/v1/sources/<id> {"secret": …})',
        },
      ]);
    const { source, secret } = await this.sources.forPush(delivery.sourceId);
    if (secret === null)
      throw new UnauthenticatedError('unsigned source', [
        {
          path: '/source',
          reason: `push source "${source.id}" has no secret: GitHub webhooks must be signed (give the source the webhook's secret)`,
        },
      ]);
    const check = verifyGithubSignature(secret, delivery.signature, delivery.rawBody);
    if (!check.ok)
      throw new UnauthenticatedError('bad webhook signature', [
        { path: `header:${GITHUB_SIGNATURE_HEADER}`, reason: check.reason },
      ]);
    const service = delivery.service ?? source.service;
    const servicePath = delivery.service !== undefined ? '/service' : '/source';
    return this.adapted(
      () =>
        adaptGithubDeploymentStatus(delivery.event, delivery.body, {
          ...(service !== undefined ? { service, servicePath } : {}),
        }),
      'GitHub deployment_status webhook',
      binding,
      now,
    );
  }

  private async adapted(
    adapt: () => AdaptedChanges,
    format: string,
    binding: ServiceBinding,
    now: number,
  ): Promise<ChangesAccepted> {
    let adapted: AdaptedChanges;
    try {
      adapted = adapt();
    } catch (e) {
      if (e instanceof ChangeFormatError)
        throw new InvalidInputError(e.errors, `not a valid ${format}`);
      throw e;
    }
    const result = validateAdapted(adapted, this.validator, this.context(now));
    if (!result.ok) throw new InvalidInputError(result.errors, `invalid ${format}`);
    if (result.changes.length === 0) return { accepted: 0, ids: [], ignored: result.ignored };
    return { ...(await this.store(result.changes, binding)), ignored: result.ignored };
  }

  private context(now: number): ChangeValidationContext {
    return { now, retentionMs: this.config.TRANSITION_RETENTION_DAYS * DAY_MS };
  }

  /** Checks the binding, writes, and enqueues the stored changes for correlation. */
  private async store(changes: ValidChange[], binding: ServiceBinding): Promise<ChangesAccepted> {
    checkBinding(changes, binding);
    const result = await this.changes.upsert(changes.map((c) => c.change));
    if (result.taken.length > 0) {
      const pathOf = new Map(changes.map((c) => [c.change.id, c.idPath]));
      throw new ConflictError(
        'change ids already used by other changes',
        result.taken.map((t) => ({
          path: pathOf.get(t.id) ?? '',
          reason: `"${t.id}" is a ${t.kind} on ${t.entity}: an id names one change, whose entity and kind never change`,
        })),
      );
    }
    // The engine learns of them in order with the reports (a rebuilt engine reads the table).
    await this.producer.add(JobName.Correlate, {
      reports: [],
      changes: result.stored.map(toChange),
    });
    return { accepted: result.stored.length, ids: result.stored.map((r) => r.id) };
  }
}

/**
 * A token bound to services may post changes only on their entities (`service:<s>`,
 * `instance:<s>/…`); a backend, host or zone belongs to no one service, so only an unbound token
 * may. 403 naming each entity; nothing is stored.
 */
function checkBinding(changes: readonly ValidChange[], binding: ServiceBinding): void {
  if (binding === null) return;
  const errors: FieldError[] = [];
  for (const { change, entityPath } of changes) {
    if (errors.length >= 20) break;
    const service = owningService(change.entity);
    if (service !== null && bindingAllows(binding, service)) continue;
    errors.push({
      path: entityPath,
      reason:
        service === null
          ? `${change.entity} belongs to no one service: only a token bound to no service may post changes on it`
          : `"${service}" is not a service this token may post changes for (it is bound to ${describeBinding(binding)})`,
    });
  }
  if (errors.length > 0)
    throw new ForbiddenError('this token may not post changes on these entities', errors);
}
