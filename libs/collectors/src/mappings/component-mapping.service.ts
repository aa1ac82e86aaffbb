import { InvalidInputError, NotFoundError } from '@faultline/platform';
import { type FieldError, InvalidTargetError, parseTarget, toFieldError } from '@faultline/reports';
import { Injectable } from '@nestjs/common';
import Ajv from 'ajv';

import { UnresolvedComponentRepository } from '../components/unresolved-component.repository';
import {
  ComponentMappingRepository,
  type ComponentMappingRow,
} from './component-mapping.repository';
import { effectiveMapping } from './effective-mapping';

/** A fleet-wide mapping: every source's component `name` is the backend `target`. */
export interface ComponentMapping {
  name: string;
  /** A URI (`redis://10.0.0.5:6379`) or `host:port`, as a source's mapping takes it. */
  target: string;
  createdAt: string;
  updatedAt: string;
}

export const componentMappingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['target'],
  properties: {
    target: {
      type: 'string',
      minLength: 1,
      maxLength: 2000,
      description: 'A URI such as redis://10.0.0.5:6379, or host:port',
    },
  },
} as const;
const validateShape = new Ajv({ allErrors: true, strict: true }).compile<{ target: string }>(
  componentMappingSchema,
);

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const NAME = /^[^\u0000-\u001f]{1,200}$/;

/**
 * How long a process applies the mappings it read before reading them again: the api and the
 * worker are separate processes, so a change made through one reaches the other's next push or
 * poll within this, without a restart (the process that made it applies it at once).
 */
export const MAPPING_CACHE_MS = 3_000;

/** The fleet-wide component mapping: validation, storage, and the mapping a push or poll applies. */
@Injectable()
export class ComponentMappingService {
  private cached: { at: number; mapping: Promise<Record<string, string>> } | null = null;
  /** The last fleet-wide mapping read from Postgres (empty until one was). */
  private lastRead: Record<string, string> = {};

  constructor(
    private readonly repository: ComponentMappingRepository,
    private readonly unresolved: UnresolvedComponentRepository,
  ) {}

  async put(name: string, body: unknown): Promise<{ mapping: ComponentMapping; created: boolean }> {
    const errors: FieldError[] = [];
    if (!NAME.test(name))
      errors.push({
        path: '/name',
        reason: 'must be 1 to 200 characters without control characters',
      });
    if (!validateShape(body))
      errors.push(...(validateShape.errors ?? []).map((e) => toFieldError('', e, 'an object')));
    else {
      try {
        parseTarget(body.target);
      } catch (e) {
        if (!(e instanceof InvalidTargetError)) throw e;
        errors.push({ path: '/target', reason: e.message });
      }
    }
    if (errors.length > 0) throw new InvalidInputError(errors, 'invalid component mapping');
    const { row, created } = await this.repository.upsert(
      name,
      (body as { target: string }).target.trim(),
    );
    this.cached = null;
    // Mapped now, for every source: no longer unresolved anywhere.
    await this.unresolved.forgetEverywhere([name]);
    return { mapping: toMapping(row), created };
  }

  async get(name: string): Promise<ComponentMapping> {
    const row = await this.repository.get(name);
    if (!row) throw notFound(name);
    return toMapping(row);
  }

  async list(limit: number, afterName: string | null): Promise<ComponentMapping[]> {
    return (await this.repository.list(limit, afterName)).map(toMapping);
  }

  async delete(name: string): Promise<void> {
    const existed = await this.repository.delete(name);
    this.cached = null;
    if (!existed) throw notFound(name);
  }

  /**
   * The mapping to adapt a document with: the fleet-wide one overridden by the source's own.
   * Read at most every MAPPING_CACHE_MS per process (one query shared by concurrent callers).
   */
  async effective(
    own: Readonly<Record<string, string>> | undefined,
    now = Date.now(),
  ): Promise<Record<string, string>> {
    if (!this.cached || now - this.cached.at >= MAPPING_CACHE_MS) {
      const lastRead = this.lastRead;
      // Postgres down: the last mapping read stands, so pushes and polls go on into Redis.
      const mapping = this.repository.all().then(
        (read) => (this.lastRead = read),
        () => lastRead,
      );
      this.cached = { at: now, mapping };
    }
    return effectiveMapping(await this.cached.mapping, own);
  }
}

const notFound = (name: string) => new NotFoundError(`no component mapping ${name}`);

function toMapping(r: ComponentMappingRow): ComponentMapping {
  return {
    name: r.name,
    target: r.target,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
