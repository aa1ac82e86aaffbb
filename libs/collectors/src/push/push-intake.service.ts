import {
  adapt,
  type AdaptedReports,
  detectFormat,
  FormatError,
  type FormatName,
  type HealthDocument,
  type UnresolvedComponent,
} from '@faultline/formats';
import { ReportIntake } from '@faultline/ingest';
import {
  DependencyUnavailableError,
  type FaultlineConfig,
  InjectConfig,
  InvalidInputError,
  JobProducer,
  type ServiceBinding,
  UnauthenticatedError,
} from '@faultline/platform';
import type { FieldError, ReportInput } from '@faultline/reports';
import { Injectable, Logger } from '@nestjs/common';

import { UnresolvedComponentRepository } from '../components/unresolved-component.repository';
import { ComponentMappingService } from '../mappings/component-mapping.service';
import { pushSourceName, PushSourceService } from './push-source';
import {
  SIGNATURE_HEADER,
  SIGNATURE_REPLAY_WINDOW_MS,
  type SignedRequest,
  verifySignature,
} from './request-signature';

/** Identity from the request (query parameters or X-Faultline-* headers), for bodies that lack it. */
export interface PushIdentity {
  service?: string;
  instance?: string;
  host?: string;
  labels?: Record<string, string>;
}

export interface PushRequest {
  format: FormatName | 'auto';
  doc: HealthDocument;
  identity: PushIdentity;
  /** `?source=<id>`: a registered push source (mapping, defaults, signature). */
  sourceId: string | null;
  signature: string | undefined;
  /** The request as received (method, path and query as sent, headers): what a signature covers. */
  http: Omit<SignedRequest, 'body'>;
  /** The token's service binding (null: any service). */
  binding: ServiceBinding;
}

/** A replay check that cannot reach Redis gives up after this (the push answers 503). */
const REPLAY_CHECK_TIMEOUT_MS = 5000;

export interface PushResult {
  accepted: number;
  format: FormatName;
  /** Components named only by name, with the service-scoped target they got: map them (fleet-wide or on the source). */
  unresolved: UnresolvedComponent[];
  /**
   * Parts of the document that could not be read or stored, each named by JSON pointer (or
   * naming its report), while the rest was accepted. Empty when everything was.
   */
  refused: FieldError[];
}

/**
 * A health document pushed in one of the formats services already speak: checked against its
 * source's signature, read by the format's adapter with the effective mapping (fleet-wide,
 * overridden by the source's own), then accepted like native reports (same validation, same
 * durability). Whatever part of it is valid is stored and the rest listed as refused, because
 * a sender such as Alertmanager drops the whole group on a 4xx; a document with nothing valid
 * in it stores nothing and is refused (400).
 */
@Injectable()
export class PushIntake {
  private readonly logger = new Logger(PushIntake.name);

  constructor(
    private readonly intake: ReportIntake,
    private readonly sources: PushSourceService,
    private readonly unresolved: UnresolvedComponentRepository,
    private readonly mappings: ComponentMappingService,
    private readonly producer: JobProducer,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {}

  async push(req: PushRequest, now = Date.now()): Promise<PushResult> {
    const registered = req.sourceId === null ? null : await this.sources.forPush(req.sourceId);
    if (registered?.secret) {
      const check = verifySignature(
        registered.secret,
        req.signature,
        { ...req.http, body: req.doc.body },
        now,
      );
      if (!check.ok) {
        throw new UnauthenticatedError('bad request signature', [
          { path: `header:${SIGNATURE_HEADER}`, reason: check.reason },
        ]);
      }
      await this.useOnce(req.sourceId!, check.v2);
    }
    const format = req.format === 'auto' ? detectFormat(req.doc) : req.format;
    if (format === null)
      throw new InvalidInputError(
        [
          {
            path: '',
            reason:
              'is in no health format Faultline reads; name one in the path: /api/v1/ingest/<format>',
          },
        ],
        'unknown format',
      );
    const defaults = registered?.source;
    const mapping = await this.mappings.effective(defaults?.mapping);
    let adapted: AdaptedReports;
    try {
      adapted = adapt(format, req.doc, {
        service: req.identity.service ?? defaults?.service,
        instance: req.identity.instance ?? defaults?.instance,
        host: req.identity.host ?? defaults?.host,
        labels: { ...(defaults?.labels ?? {}), ...(req.identity.labels ?? {}) },
        mapping,
        labelMapping: defaults?.labelMapping,
        observedAt: now,
      });
    } catch (e) {
      if (e instanceof FormatError)
        throw new InvalidInputError(e.errors, `not a valid ${format} document`);
      throw e;
    }
    const refused: FieldError[] = [...(adapted.refused ?? [])];
    if (adapted.reports.length === 0)
      throw new InvalidInputError(
        refused.length > 0 ? refused : [{ path: '', reason: `holds no health report (${format})` }],
        'nothing to accept',
      );
    // All or nothing: a request reporting for a service it may not is refused whole (403).
    await this.sources.checkClaims(
      adapted.reports.flatMap((r, i) =>
        typeof r.service === 'string' ? [{ path: `/${i}/service`, service: r.service }] : [],
      ),
      { binding: req.binding, signedBy: registered?.secret ? req.sourceId : null },
    );
    const source = req.sourceId === null ? `ingest/${format}` : `source/${req.sourceId}`;
    const accepted = await this.store(adapted.reports, refused, now, source);
    // Bookkeeping for operators: the reports are accepted whether or not Postgres takes it now.
    await this.unresolved
      .record(req.sourceId === null ? 'push' : pushSourceName(req.sourceId), adapted.unresolved)
      .catch((e: unknown) =>
        this.logger.warn(`unresolved components not recorded: ${(e as Error).message}`),
      );
    return { accepted, format, unresolved: adapted.unresolved, refused };
  }

  /**
   * Remembers a verified signature for as long as it could be accepted (Redis, shared by every
   * api process): the same signature again is a replay, refused with 401 naming the header.
   */
  private async useOnce(sourceId: string, signature: string): Promise<void> {
    const key = `${this.config.QUEUE_PREFIX}:push-signature:${sourceId}:${signature}`;
    let timer: NodeJS.Timeout | undefined;
    const first = await Promise.race([
      this.producer.connection
        .set(key, '1', 'PX', SIGNATURE_REPLAY_WINDOW_MS, 'NX')
        .catch(() => 'timeout' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), REPLAY_CHECK_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    if (first === 'timeout') throw new DependencyUnavailableError('the replay cache (Redis)');
    if (first === null)
      throw new UnauthenticatedError('replayed request signature', [
        {
          path: `header:${SIGNATURE_HEADER}`,
          reason: 'was already used: a signature is accepted once (sign each request anew)',
        },
      ]);
  }

  /**
   * Stores the reports; when the intake refuses some (a label too long for a service name...),
   * stores the others and adds the refused ones to `refused`. Throws only when none is valid.
   */
  private async store(
    reports: ReportInput[],
    refused: FieldError[],
    now: number,
    source: string,
  ): Promise<number> {
    try {
      return await this.intake.ingest(reports, now, source);
    } catch (e) {
      if (!(e instanceof InvalidInputError) || reports.length < 2) {
        if (e instanceof InvalidInputError && refused.length > 0)
          throw new InvalidInputError([...refused, ...(e.errors ?? [])], e.message);
        throw e;
      }
      // One at a time: the group committer still sends them to Redis together.
      const outcomes = await Promise.allSettled(
        reports.map((r) => this.intake.ingest([r], now, source)),
      );
      let accepted = 0;
      const invalid: FieldError[] = [];
      outcomes.forEach((outcome, i) => {
        if (outcome.status === 'fulfilled') accepted += outcome.value;
        else if (outcome.reason instanceof InvalidInputError)
          for (const error of outcome.reason.errors ?? [])
            invalid.push({
              path: '',
              reason: `the report of ${reports[i].service}/${reports[i].instance ?? '-'} cannot be stored: ${error.path.replace(/^\/0/, '') || '(report)'} ${error.reason}`,
            });
      });
      const failed = outcomes.find(
        (o): o is PromiseRejectedResult =>
          o.status === 'rejected' && !(o.reason instanceof InvalidInputError),
      );
      if (failed) throw failed.reason;
      if (accepted === 0) throw new InvalidInputError([...refused, ...invalid], e.message);
      refused.push(...invalid);
      return accepted;
    }
  }
}
