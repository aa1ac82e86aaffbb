import { randomBytes } from 'node:crypto';

import { InvalidInputError, NotFoundError, SecretKeyMissingError } from '@faultline/platform';
import { jsonPointer } from '@faultline/reports';
import { Injectable } from '@nestjs/common';

import { UnresolvedComponentRepository } from '../components/unresolved-component.repository';
import { hasUrlCredentials } from '../http';
import { PollScheduler } from './poll-scheduler';
import type { PollTarget } from './poll-target.model';
import { POLL_URL_CREDENTIALS, PollTargetRepository } from './poll-target.repository';
import { validatePollTarget } from './poll-target.schema';
import { splitHeaders } from './secret-headers';

/** Registering, changing and removing poll targets: stored first, then scheduled. */
@Injectable()
export class PollTargetService {
  constructor(
    private readonly targets: PollTargetRepository,
    private readonly scheduler: PollScheduler,
    private readonly unresolved: UnresolvedComponentRepository,
  ) {}

  /** Validates and stores a target (a new id when the body has none), then schedules it. */
  async put(
    body: unknown,
    idFromPath: string | null,
    origin: 'api' | 'file' = 'api',
  ): Promise<{ target: PollTarget; created: boolean }> {
    const withId =
      idFromPath !== null && body !== null && typeof body === 'object' && !Array.isArray(body)
        ? { ...body, id: idFromPath }
        : body;
    const result = validatePollTarget(withId);
    if (!result.ok) throw new InvalidInputError(result.errors, 'invalid poll target');
    const input = result.target;
    // Only secret-like headers are sealed: an Accept or User-Agent alone needs no key.
    const secret = Object.keys(splitHeaders(input.headers ?? {}).secret);
    if (secret.length > 0 && !this.targets.canStoreSecrets) {
      throw new InvalidInputError(
        secret.map((name) => ({
          path: jsonPointer('/headers', name),
          reason: `is a secret header: ${new SecretKeyMissingError().message}`,
        })),
        'invalid poll target',
      );
    }
    // A URL with a credential in its query is sealed whole: it needs the key as well.
    if (hasUrlCredentials(input.url, POLL_URL_CREDENTIALS) && !this.targets.canStoreSecrets) {
      throw new InvalidInputError(
        [
          {
            path: '/url',
            reason: `carries a credential (a secret-like query parameter): ${new SecretKeyMissingError().message}`,
          },
        ],
        'invalid poll target',
      );
    }
    const id = input.id ?? `t-${randomBytes(6).toString('hex')}`;
    const saved = await this.targets.upsert({ ...input, id }, origin);
    await this.scheduler.schedule(saved.target);
    // Components the new mapping names are no longer unresolved.
    await this.unresolved.forgetMapped(sourceOf(id), Object.keys(input.mapping ?? {}));
    return saved;
  }

  async get(id: string): Promise<PollTarget> {
    const target = await this.targets.get(id);
    if (!target) throw new NotFoundError(`no poll target ${id}`);
    return target;
  }

  list(limit: number, afterId: string | null): Promise<PollTarget[]> {
    return this.targets.list(limit, afterId);
  }

  async delete(id: string): Promise<void> {
    // Deleted first: a poll that fires in between finds no target and stops its scheduler.
    const existed = await this.targets.delete(id);
    await this.scheduler.unschedule(id);
    if (!existed) throw new NotFoundError(`no poll target ${id}`);
  }
}

/** The source name a poll target's unresolved components are filed under. */
export const sourceOf = (targetId: string): string => `target:${targetId}`;
