import {
  adapt,
  detectFormat,
  FormatError,
  type FormatName,
  type HealthDocument,
  type UnresolvedComponent,
} from '@faultline/formats';
import { ReportIntake } from '@faultline/ingest';
import { InvalidInputError, UnauthenticatedError } from '@faultline/platform';
import { Injectable } from '@nestjs/common';

import { UnresolvedComponentRepository } from '../components/unresolved-component.repository';
import { pushSourceName, PushSourceService } from './push-source';
import { SIGNATURE_HEADER, verifySignature } from './request-signature';

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
}

export interface PushResult {
  accepted: number;
  format: FormatName;
  /** Components named only by name, with the service-scoped target they got: map them on the source. */
  unresolved: UnresolvedComponent[];
}

/**
 * A health document pushed in one of the formats services already speak: checked against its
 * source's signature, read by the format's adapter, then accepted like native reports (same
 * validation, same durability). All or nothing: a document that cannot be read stores nothing.
 */
@Injectable()
export class PushIntake {
  constructor(
    private readonly intake: ReportIntake,
    private readonly sources: PushSourceService,
    private readonly unresolved: UnresolvedComponentRepository,
  ) {}

  async push(req: PushRequest, now = Date.now()): Promise<PushResult> {
    const registered = req.sourceId === null ? null : await this.sources.forPush(req.sourceId);
    if (registered?.secret) {
      const check = verifySignature(registered.secret, req.signature, req.doc.body, now);
      if (!check.ok) {
        throw new UnauthenticatedError('bad request signature', [
          { path: `header:${SIGNATURE_HEADER}`, reason: check.reason },
        ]);
      }
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
    let adapted;
    try {
      adapted = adapt(format, req.doc, {
        service: req.identity.service ?? defaults?.service,
        instance: req.identity.instance ?? defaults?.instance,
        host: req.identity.host ?? defaults?.host,
        labels: { ...(defaults?.labels ?? {}), ...(req.identity.labels ?? {}) },
        mapping: defaults?.mapping,
        labelMapping: defaults?.labelMapping,
        observedAt: now,
      });
    } catch (e) {
      if (e instanceof FormatError)
        throw new InvalidInputError(e.errors, `not a valid ${format} document`);
      throw e;
    }
    if (adapted.reports.length === 0)
      throw new InvalidInputError(
        [{ path: '', reason: `holds no health report (${format})` }],
        'nothing to accept',
      );
    const accepted = await this.intake.ingest(adapted.reports, now);
    await this.unresolved.record(
      req.sourceId === null ? 'push' : pushSourceName(req.sourceId),
      adapted.unresolved,
    );
    return { accepted, format, unresolved: adapted.unresolved };
  }
}
