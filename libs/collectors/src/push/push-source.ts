import {
  type FaultlineConfig,
  InjectConfig,
  InvalidInputError,
  NotFoundError,
  SecretBox,
  SecretKeyMissingError,
} from '@faultline/platform';
import { type FieldError, toFieldError } from '@faultline/reports';
import { Injectable } from '@nestjs/common';
import Ajv from 'ajv';

import { UnresolvedComponentRepository } from '../components/unresolved-component.repository';
import type { SourceIdentity } from '../targets/poll-target.model';
import { identityProperties, mappingErrors, SLUG_ID } from '../targets/poll-target.schema';
import { PushSourceRepository, type PushSourceRow } from './push-source.repository';
import { checkClaims, type ClaimedService, type Reporter } from './service-claims';

// Re-exported here: the package entry lists this file.
export { type ClaimedService, claimedServices, type Reporter } from './service-claims';

/** How long a process trusts its list of reserved services (a change on another process shows within it). */
const RESERVED_CACHE_MS = 3000;

/**
 * A push source: a sender known by id (`?source=<id>` on the push endpoints) with identity
 * defaults, its component mapping, and optionally a signing secret (then every request must
 * carry a valid X-Faultline-Signature). The secret is stored sealed and never shown back.
 */
export interface PushSource extends Partial<SourceIdentity> {
  id: string;
  /** Whether requests must be signed. */
  signed: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface PushSourceInput extends Partial<SourceIdentity> {
  /** At least 16 characters; omit for an unsigned source. */
  secret?: string;
}

export const pushSourceSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { secret: { type: 'string', minLength: 16, maxLength: 200 }, ...identityProperties },
} as const;
const validateShape = new Ajv({ allErrors: true, strict: true }).compile<PushSourceInput>(
  pushSourceSchema,
);

/** Push sources: validation, sealed storage, and the secret for verifying a request. */
@Injectable()
export class PushSourceService {
  private readonly secrets: SecretBox;
  private reserved: { until: number; map: Promise<Map<string, string[]>> } | null = null;
  /** The last map read from Postgres (empty until one was). */
  private lastReserved = new Map<string, string[]>();

  constructor(
    private readonly repository: PushSourceRepository,
    private readonly unresolved: UnresolvedComponentRepository,
    @InjectConfig() config: FaultlineConfig,
  ) {
    this.secrets = SecretBox.fromConfig(config);
  }

  async put(id: string, body: unknown): Promise<{ source: PushSource; created: boolean }> {
    const errors: FieldError[] = [];
    if (!SLUG_ID.test(id))
      errors.push({
        path: '/id',
        reason: 'must be a lower-case slug: letters, digits, . _ - (at most 100)',
      });
    if (!validateShape(body))
      errors.push(...(validateShape.errors ?? []).map((e) => toFieldError('', e, 'an object')));
    else errors.push(...mappingErrors(body.mapping, ''));
    if (
      errors.length === 0 &&
      (body as PushSourceInput).secret !== undefined &&
      !this.secrets.available
    )
      errors.push({ path: '/secret', reason: new SecretKeyMissingError().message });
    if (errors.length > 0) throw new InvalidInputError(errors, 'invalid push source');
    const input = body as PushSourceInput;
    const { row, created } = await this.repository.upsert(id, {
      secretSealed: input.secret !== undefined ? this.secrets.seal(input.secret) : null,
      service: input.service,
      instance: input.instance,
      host: input.host,
      labels: input.labels,
      mapping: input.mapping,
      labelMapping: input.labelMapping,
    });
    await this.unresolved.forgetMapped(pushSourceName(id), Object.keys(input.mapping ?? {}));
    this.reserved = null;
    return { source: toSource(row), created };
  }

  async get(id: string): Promise<PushSource> {
    return toSource(await this.row(id));
  }

  /** The source and its opened secret (null when unsigned), for checking a push. */
  async forPush(id: string): Promise<{ source: PushSource; secret: string | null }> {
    const row = await this.row(id);
    return {
      source: toSource(row),
      secret: row.secret_sealed ? this.secrets.open(row.secret_sealed) : null,
    };
  }

  async list(): Promise<PushSource[]> {
    return (await this.repository.list()).map(toSource);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repository.delete(id))) throw notFound(id);
    this.reserved = null;
  }

  /**
   * Refuses (403 naming each service) reports for services the token is not bound to, or that a
   * signing source reserves (its `service`) when the request is not that source's signed push.
   */
  async checkClaims(claims: readonly ClaimedService[], reporter: Reporter): Promise<void> {
    if (claims.length === 0) return;
    checkClaims(claims, reporter, await this.reservedServices());
  }

  /**
   * Service → the signing sources that name it; re-read at most every 3 s. While Postgres is
   * down the last map read stands (none before the first read): native ingest goes on into Redis.
   */
  private reservedServices(now = Date.now()): Promise<Map<string, string[]>> {
    if (this.reserved && this.reserved.until > now) return this.reserved.map;
    const lastRead = this.lastReserved;
    const map = this.repository.signedServices().then(
      (rows) => {
        const reserved = new Map<string, string[]>();
        for (const { id, service } of rows)
          reserved.set(service, [...(reserved.get(service) ?? []), id]);
        this.lastReserved = reserved;
        return reserved;
      },
      () => lastRead,
    );
    this.reserved = { until: now + RESERVED_CACHE_MS, map };
    return map;
  }

  private async row(id: string): Promise<PushSourceRow> {
    const row = await this.repository.get(id);
    if (!row) throw notFound(id);
    return row;
  }
}

/** The source name a push source's unresolved components are filed under. */
export const pushSourceName = (id: string): string => `source:${id}`;

const notFound = (id: string) => new NotFoundError(`no push source ${id}`);

function toSource(r: PushSourceRow): PushSource {
  return {
    id: r.id,
    signed: r.secret_sealed !== null,
    ...(r.service !== null ? { service: r.service } : {}),
    ...(r.instance !== null ? { instance: r.instance } : {}),
    ...(r.host !== null ? { host: r.host } : {}),
    labels: r.labels,
    mapping: r.mapping,
    ...(r.label_mapping ? { labelMapping: r.label_mapping } : {}),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
