import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { InvalidTargetError, parseTarget } from './entity-key';
import type { Check, FieldError, Report, ReportInput } from './report.model';
import { NO_NUL, reportSchema } from './report.schema';
import { worstStatus } from './status';

export interface ValidationContext {
  /** Receive time, epoch ms: the default observedAt. */
  now: number;
  /** Reports older than now - retentionMs are refused. */
  retentionMs: number;
  /** Reports further than this in the future are refused (clock skew allowance). */
  maxFutureMs?: number;
}

export type ValidationResult =
  { ok: true; reports: Report[] } | { ok: false; errors: FieldError[] };

const MAX_ERRORS = 100;
/** A sender's clock may run this far ahead (docs/CONTRACT.md): 60 s. */
const DEFAULT_MAX_FUTURE_MS = 60_000;

/**
 * Validates a request body (one report or an array of them) and normalises it.
 * All or nothing: any bad report fails the whole body, so nothing of a bad request is stored.
 * Compiled once with ajv: the ingest hot path pays a few microseconds per report.
 */
export class ReportValidator {
  private readonly validateOne: ValidateFunction<ReportInput>;

  constructor() {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv, ['date-time']);
    this.validateOne = ajv.compile<ReportInput>(reportSchema);
  }

  validate(body: unknown, ctx: ValidationContext): ValidationResult {
    const isArray = Array.isArray(body);
    const items: unknown[] = isArray ? body : [body];
    if (items.length === 0)
      return { ok: false, errors: [{ path: '', reason: 'must contain at least one report' }] };
    const errors: FieldError[] = [];
    const reports: Report[] = [];
    for (let i = 0; i < items.length && errors.length < MAX_ERRORS; i++) {
      const prefix = isArray ? `/${i}` : '';
      const item = items[i];
      if (!this.validateOne(item)) {
        for (const e of this.validateOne.errors ?? []) errors.push(toFieldError(prefix, e));
        continue;
      }
      const report = normalise(item, prefix, ctx, errors);
      if (report) reports.push(report);
    }
    return errors.length
      ? { ok: false, errors: errors.slice(0, MAX_ERRORS) }
      : { ok: true, reports };
  }
}

function normalise(
  input: ReportInput,
  prefix: string,
  ctx: ValidationContext,
  errors: FieldError[],
): Report | null {
  const before = errors.length;
  let observedAt = ctx.now;
  if (input.observedAt !== undefined) {
    observedAt = Date.parse(input.observedAt);
    const maxFuture = ctx.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
    if (Number.isNaN(observedAt))
      errors.push({ path: `${prefix}/observedAt`, reason: 'is not an RFC 3339 time' });
    else if (observedAt < ctx.now - ctx.retentionMs)
      errors.push({ path: `${prefix}/observedAt`, reason: 'is older than the retention window' });
    else if (observedAt > ctx.now + maxFuture)
      errors.push({
        path: `${prefix}/observedAt`,
        reason: `is more than ${Math.round(maxFuture / 1000)} seconds in the future`,
      });
  }
  const seen = new Set<string>();
  const checks: Check[] = [];
  (input.checks ?? []).forEach((c, j) => {
    if (seen.has(c.name))
      errors.push({ path: `${prefix}/checks/${j}/name`, reason: `duplicates check "${c.name}"` });
    seen.add(c.name);
    let target: string | null = null;
    let targetKey: string | null = null;
    if (c.target !== undefined) {
      try {
        const parsed = parseTarget(c.target);
        target = parsed.display;
        targetKey = parsed.key;
      } catch (e) {
        if (!(e instanceof InvalidTargetError)) throw e;
        errors.push({ path: `${prefix}/checks/${j}/target`, reason: e.message });
      }
    }
    checks.push({
      name: c.name,
      target,
      targetKey,
      status: c.status,
      latencyMs: c.latencyMs ?? null,
      output: c.output ?? null,
    });
  });
  if (errors.length > before) return null;
  const report: Report = {
    id: input.id ?? null,
    service: input.service,
    instance: input.instance ?? input.host ?? input.service,
    host: input.host ?? null,
    labels: input.labels ?? {},
    observedAt,
    receivedAt: ctx.now,
    status: input.status ?? worstStatus(checks.map((c) => c.status)),
    checks,
  };
  if (input.periodic === false) report.periodic = false;
  return report;
}

/** An ajv error as a FieldError; `objectNoun` names what an object-typed value must be. */
export function toFieldError(
  prefix: string,
  e: ErrorObject,
  objectNoun = 'a report object',
): FieldError {
  const path = prefix + e.instancePath;
  switch (e.keyword) {
    case 'required':
      return {
        path: `${path}/${(e.params as { missingProperty: string }).missingProperty}`,
        reason: 'is required',
      };
    case 'additionalProperties':
      return {
        path: `${path}/${(e.params as { additionalProperty: string }).additionalProperty}`,
        reason: 'is not a known field',
      };
    case 'enum':
      return {
        path,
        reason: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`,
      };
    case 'type':
      return {
        path: path || '/',
        reason: `must be ${(e.params as { type: string }).type === 'object' ? objectNoun : `a ${(e.params as { type: string }).type}`}`,
      };
    case 'pattern':
      if ((e.params as { pattern: string }).pattern === NO_NUL)
        return { path, reason: 'must not contain NUL characters' };
      return {
        path,
        reason: path.endsWith('/service')
          ? 'must not contain "/" or control characters'
          : 'must not contain control characters',
      };
    default:
      return { path, reason: e.message ?? 'is invalid' };
  }
}
