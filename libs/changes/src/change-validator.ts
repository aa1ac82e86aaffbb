import { createHash } from 'node:crypto';

import { type FieldError, toFieldError } from '@faultline/reports';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import {
  type Change,
  type ChangeInput,
  type ChangeKind,
  TERMINAL_CHANGE_STATUSES,
} from './change.model';
import { CHANGE_LIMITS, changeSchema } from './change.schema';
import { changeEntityKey, InvalidEntityError } from './change-entity';

export interface ChangeValidationContext {
  /** Receive time, epoch ms. */
  now: number;
  /** Changes that started before now - retentionMs are refused (they would be deleted at once). */
  retentionMs: number;
  /** Times further than this in the future are refused (clock skew allowance); 60 s by default. */
  maxFutureMs?: number;
}

/** A valid change, with the places its id and entity were named (for a refusal to name them). */
export interface ValidChange {
  change: Change;
  idPath: string;
  entityPath: string;
}

export type ChangeValidationResult =
  { ok: true; changes: ValidChange[] } | { ok: false; errors: FieldError[] };

const MAX_ERRORS = 100;
/** A sender's clock may run this far ahead, as for reports (docs/CONTRACT.md): 60 s. */
const DEFAULT_MAX_FUTURE_MS = 60_000;

/**
 * Validates a body of changes (one object or an array) and normalises it: entity keys as
 * correlation names them, times as epoch ms, a stable id where the sender gave none.
 * All or nothing, as for reports: one bad change refuses the whole body with every bad field
 * named by JSON pointer, so nothing of a bad request is stored. The same id twice in one body is
 * one change, merged in order (mergeChange). Compiled once with ajv.
 */
export class ChangeValidator {
  private readonly validateShape: ValidateFunction<ChangeInput>;

  constructor() {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv, ['date-time']);
    this.validateShape = ajv.compile<ChangeInput>(changeSchema);
  }

  validate(body: unknown, ctx: ChangeValidationContext): ChangeValidationResult {
    const isArray = Array.isArray(body);
    const items: unknown[] = isArray ? body : [body];
    if (items.length === 0)
      return { ok: false, errors: [{ path: '', reason: 'must contain at least one change' }] };
    if (items.length > CHANGE_LIMITS.perRequest)
      return {
        ok: false,
        errors: [
          { path: '', reason: `must hold at most ${CHANGE_LIMITS.perRequest} changes a request` },
        ],
      };
    const errors: FieldError[] = [];
    const valid: ValidChange[] = [];
    for (let i = 0; i < items.length && errors.length < MAX_ERRORS; i++) {
      const prefix = isArray ? `/${i}` : '';
      const change = this.validateOne(items[i], prefix, ctx, errors);
      if (change) valid.push({ change, idPath: `${prefix}/id`, entityPath: `${prefix}/entity` });
    }
    const changes = mergeById(valid, errors);
    return errors.length > 0
      ? { ok: false, errors: errors.slice(0, MAX_ERRORS) }
      : { ok: true, changes };
  }

  /** One change (errors pushed with `prefix` before each path); null when it is invalid. */
  validateOne(
    item: unknown,
    prefix: string,
    ctx: ChangeValidationContext,
    errors: FieldError[],
  ): Change | null {
    if (!this.validateShape(item)) {
      for (const e of this.validateShape.errors ?? [])
        errors.push(toFieldError(prefix, e, 'a change object'));
      return null;
    }
    const before = errors.length;
    let entity = '';
    try {
      entity = changeEntityKey(item.entity);
    } catch (e) {
      if (!(e instanceof InvalidEntityError)) throw e;
      errors.push({ path: `${prefix}/entity`, reason: e.message });
    }
    const startedAt = time(item.startedAt, `${prefix}/startedAt`, ctx, errors);
    const finishedAt =
      item.finishedAt === undefined
        ? null
        : time(item.finishedAt, `${prefix}/finishedAt`, ctx, errors);
    if (startedAt !== null && finishedAt !== null && finishedAt < startedAt)
      errors.push({ path: `${prefix}/finishedAt`, reason: 'is before startedAt' });
    (item.links ?? []).forEach((link, j) => {
      if (!isWebUrl(link.href))
        errors.push({ path: `${prefix}/links/${j}/href`, reason: 'must be an http or https URL' });
    });
    if (errors.length > before || startedAt === null) return null;
    const version = item.version ?? null;
    return {
      id: item.id ?? derivedChangeId(entity, item.kind, startedAt, version),
      entity,
      kind: item.kind,
      status: item.status,
      startedAt,
      finishedAt,
      source: item.source ?? null,
      version,
      summary: item.summary,
      links: (item.links ?? []).map((l) => ({ href: l.href, text: l.text ?? null })),
      labels: item.labels ?? {},
    };
  }
}

/**
 * Changes of one request, the same id twice being one change merged in order (mergeChange);
 * the same id on another entity or kind is an error at that change's `idPath`.
 */
export function mergeById(changes: readonly ValidChange[], errors: FieldError[]): ValidChange[] {
  const byId = new Map<string, ValidChange>();
  for (const { change, idPath, entityPath } of changes) {
    const earlier = byId.get(change.id);
    if (!earlier) byId.set(change.id, { change, idPath, entityPath });
    else if (earlier.change.entity !== change.entity || earlier.change.kind !== change.kind)
      errors.push({
        path: idPath,
        reason: `is also the id of a ${earlier.change.kind} on ${earlier.change.entity} (${earlier.idPath}): one id, one change`,
      });
    else earlier.change = mergeChange(earlier.change, change);
  }
  return [...byId.values()];
}

/**
 * The id of a change posted without one: the same entity, kind, start and version give the
 * same id, so a sender retrying (or reporting the same deploy's end) updates it instead of
 * recording it twice. 128 bits of SHA-256, hex.
 */
export function derivedChangeId(
  entity: string,
  kind: ChangeKind,
  startedAt: number,
  version: string | null,
): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([entity, kind, startedAt, version ?? '']))
    .digest('hex');
  return `c-${digest.slice(0, 32)}`;
}

/**
 * A later post of a stored change (same id; entity and kind are its identity and never change).
 * Webhooks arrive late and out of order, so:
 * - status: the later one, except that `started` never replaces an ending status (succeeded,
 *   failed, rolled-back): a late "in progress" must not reopen a finished deploy;
 * - startedAt: the earlier of the two (a change never moves later; a "finished" event that
 *   carries only its own time does not move the start);
 * - finishedAt, source, version: the later one's when it has one, else kept;
 * - summary: the later one's; links and labels: the later one's when it carries any, else kept.
 * The repository applies the same rule in SQL (ChangeRepository.upsert).
 */
export function mergeChange(stored: Change, update: Change): Change {
  const keepStatus =
    update.status === 'started' && TERMINAL_CHANGE_STATUSES.includes(stored.status);
  return {
    ...stored,
    status: keepStatus ? stored.status : update.status,
    startedAt: Math.min(stored.startedAt, update.startedAt),
    finishedAt: update.finishedAt ?? stored.finishedAt,
    source: update.source ?? stored.source,
    version: update.version ?? stored.version,
    summary: update.summary,
    links: update.links.length > 0 ? update.links : stored.links,
    labels: Object.keys(update.labels).length > 0 ? update.labels : stored.labels,
  };
}

function time(
  text: string,
  path: string,
  ctx: ChangeValidationContext,
  errors: FieldError[],
): number | null {
  const ms = Date.parse(text);
  const maxFuture = ctx.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
  if (Number.isNaN(ms)) errors.push({ path, reason: 'is not an RFC 3339 time' });
  else if (ms < ctx.now - ctx.retentionMs)
    errors.push({ path, reason: 'is older than the retention window' });
  else if (ms > ctx.now + maxFuture)
    errors.push({
      path,
      reason: `is more than ${Math.round(maxFuture / 1000)} seconds in the future`,
    });
  else return ms;
  return null;
}

function isWebUrl(href: string): boolean {
  try {
    const url = new URL(href);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
