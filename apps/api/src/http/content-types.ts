import { Transform } from 'node:stream';

import { reportCapError } from '@faultline/ingest';
import { CONSUMES_CONFIG_KEY } from '@faultline/platform';
import type { FastifyInstance, FastifyRequest, preParsingHookHandler, RouteOptions } from 'fastify';

/** Thrown by the NDJSON parser; the exception filter turns it into a 400 naming the line. */
class NdjsonError extends Error {
  readonly statusCode = 400;
  readonly code = 'FAULTLINE_INVALID_NDJSON';
}

/**
 * Thrown before the body is read when a route does not take the request's content type (or the
 * body has none); the exception filter adds `errors: [{path: '/content-type', reason: 'must be
 * one of …'}]` from the route's config.
 */
class UnsupportedMediaTypeError extends Error {
  readonly statusCode = 415;
  readonly code = 'FAULTLINE_UNSUPPORTED_MEDIA_TYPE';
}

/**
 * Thrown before or while the body is read when it is larger than its route takes; the exception
 * filter keeps the status and the message, which names the limit.
 */
class BodyTooLargeError extends Error {
  readonly statusCode = 413;
  readonly code = 'FAULTLINE_BODY_TOO_LARGE';
}

/** What every route but the ingest routes takes: JSON settings, tokens, mappings are small. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** The routes that take health reports in bulk: only they take INGEST_BODY_LIMIT_BYTES. */
export const INGEST_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/v1/reports',
  'POST /api/v1/ingest/:format',
]);

export interface BodyLimits {
  /** Bytes an ingest route takes (INGEST_BODY_LIMIT_BYTES). */
  ingestBytes: number;
  /** Bytes any other route takes (BODY_LIMIT_BYTES). */
  otherBytes?: number;
  /** Reports one NDJSON body may hold (INGEST_MAX_REPORTS_PER_REQUEST); counted while parsing. */
  maxReports?: number;
}

/** The body limit of a route: the ingest limit for INGEST_ROUTES, else `otherBytes`. */
export function bodyLimitOf(
  route: Pick<RouteOptions, 'method' | 'url'>,
  limits: Required<Pick<BodyLimits, 'ingestBytes' | 'otherBytes'>>,
): number {
  const methods = [route.method].flat().map((m) => m.toUpperCase());
  return methods.some((m) => INGEST_ROUTES.has(`${m} ${route.url}`))
    ? limits.ingestBytes
    : limits.otherBytes;
}

const tooLarge = (limit: number, ingest: boolean): BodyTooLargeError =>
  new BodyTooLargeError(
    `Payload Too Large: this route takes a body of at most ${limit} bytes${ingest ? ' (INGEST_BODY_LIMIT_BYTES)' : '; only POST /api/v1/reports and /api/v1/ingest/<format> take more'}`,
  );

/**
 * Refuses a body over `limit` before it is read when its Content-Length says so; a body without
 * one (chunked) is counted as it streams and refused at the first byte past the limit. Either
 * way the connection closes after the 413, so the rest of the body is never read.
 */
function capBody(limit: number, ingest: boolean): preParsingHookHandler {
  return (request, reply, payload, done) => {
    const declared = request.headers['content-length'];
    if (declared !== undefined) {
      if (Number(declared) > limit) {
        void reply.header('connection', 'close');
        done(tooLarge(limit, ingest));
      } else done(null, payload); // Fastify holds the body to its declared length
      return;
    }
    let seen = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        seen += chunk.length;
        if (seen > limit) {
          payload.unpipe(counted);
          void reply.header('connection', 'close');
          callback(tooLarge(limit, ingest));
        } else callback(null, chunk);
      },
    });
    payload.on('error', (e) => counted.destroy(e));
    done(null, payload.pipe(counted));
  };
}

/** A request with the body as it arrived, for routes that verify a signature over it. */
export interface RawBodyRequest extends FastifyRequest {
  rawBody?: string;
}

/** Health documents some formats send with their own types; read as text, by the format adapters. */
export const TEXT_BODY_TYPES = [
  'text/plain',
  'application/health+json',
  'application/vnd.spring-boot.actuator.v3+json',
  'application/vnd.spring-boot.actuator.v2+json',
];

/** `Application/JSON; charset=utf-8` → `application/json`. */
export const mediaTypeOf = (contentType: string): string =>
  contentType.split(';')[0].trim().toLowerCase();

export const isTextBodyType = (contentType: string | undefined): boolean =>
  contentType !== undefined && TEXT_BODY_TYPES.includes(mediaTypeOf(contentType));

export const JSON_TYPE = 'application/json';
export const NDJSON_TYPE = 'application/x-ndjson';
/** CloudEvents in structured mode (a CDEvent as `data`), one or a batch: JSON, read as JSON. */
export const CLOUDEVENTS_TYPES = [
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
];

/** What a route takes, and a hint its 415 adds. */
export interface Consumes {
  types: readonly string[];
  hint?: string;
}

/**
 * The routes that take more than JSON, by `METHOD url` as registered. Every other route with a
 * body takes JSON only; a route may also say it itself with `@RouteConfig({consumes: [...]})`.
 * Keep in step with the routes' @ApiConsumes.
 */
export const ROUTE_CONSUMES: Readonly<Record<string, Consumes>> = {
  'POST /api/v1/reports': {
    types: [JSON_TYPE, NDJSON_TYPE],
    hint: 'health documents of other formats go to POST /api/v1/ingest/<format>',
  },
  'POST /api/v1/ingest/:format': { types: [JSON_TYPE, ...TEXT_BODY_TYPES] },
  'POST /api/v1/changes/cdevents': { types: [JSON_TYPE, ...CLOUDEVENTS_TYPES] },
};
const JSON_ONLY: Consumes = { types: [JSON_TYPE] };
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** A content type longer than this is cut in the 415's message. */
const SHOWN_TYPE_MAX = 100;

/** What a route takes: its own config, else the table, else JSON (routes without a body: nothing). */
export function consumesOf(
  route: Pick<RouteOptions, 'method' | 'url' | 'config'>,
): Consumes | null {
  const methods = [route.method].flat().map((m) => m.toUpperCase());
  if (!methods.some((m) => BODY_METHODS.has(m))) return null;
  const declared = (route.config as Record<string, unknown> | undefined)?.[CONSUMES_CONFIG_KEY];
  if (Array.isArray(declared) && declared.length > 0) return { types: declared as string[] };
  for (const method of methods) {
    const known = ROUTE_CONSUMES[`${method} ${route.url}`];
    if (known) return known;
  }
  return JSON_ONLY;
}

/**
 * The 415 for a request its route does not take, or null when it does. A request without a body
 * passes whatever it says (there is nothing to parse); one with a body must name a listed type.
 */
export function refusal(
  consumes: Consumes,
  headers: Record<string, string | string[] | undefined>,
): UnsupportedMediaTypeError | null {
  const header = headers['content-type'];
  const contentType = Array.isArray(header) ? header[0] : header;
  const empty =
    headers['transfer-encoding'] === undefined &&
    (headers['content-length'] === undefined || headers['content-length'] === '0');
  if (contentType === undefined ? empty : consumes.types.includes(mediaTypeOf(contentType)))
    return null;
  const given =
    contentType === undefined
      ? 'the body has no content-type'
      : contentType.length > SHOWN_TYPE_MAX
        ? `${contentType.slice(0, SHOWN_TYPE_MAX)}…`
        : contentType;
  return new UnsupportedMediaTypeError(
    `Unsupported Media Type: ${given}; this route takes ${consumes.types.join(', ')}${consumes.hint ? ` (${consumes.hint})` : ''}`,
  );
}

/**
 * The body formats the API takes: JSON (Fastify's own parser, with its prototype-poisoning
 * checks; the text is kept on the request for signature checks), NDJSON (one report a line,
 * parsed into an array), and, as plain strings, the text types of the health formats
 * (oslo's text/plain, application/health+json, Spring's actuator types).
 *
 * Each route with a body takes only its own types (`consumesOf`: NDJSON only POST
 * /api/v1/reports, the text types only the format push endpoints, JSON all of them), kept in
 * its config for the exception filter. Any other type, or a body without a content-type, is
 * refused before the body is read: 415, `errors: [{path: '/content-type', reason: 'must be one
 * of …'}]`.
 *
 * Body sizes: the ingest routes (INGEST_ROUTES) take `ingestBytes`, every other route
 * `otherBytes` (64 KiB); a larger body is refused with 413 naming the limit, before it is read
 * when its Content-Length says so. An NDJSON body of more than `maxReports` lines is refused
 * with 413 naming that cap as soon as the parser counts one too many.
 */
export function registerContentTypes(fastify: FastifyInstance, limits: number | BodyLimits): void {
  const { ingestBytes, otherBytes, maxReports } = {
    otherBytes: BODY_LIMIT_BYTES,
    maxReports: Infinity,
    ...(typeof limits === 'number' ? { ingestBytes: limits } : limits),
  };
  fastify.addHook('onRoute', (route) => {
    const consumes = consumesOf(route);
    if (!consumes) return;
    const limit = bodyLimitOf(route, { ingestBytes, otherBytes });
    route.bodyLimit = limit;
    route.config = { ...route.config, [CONSUMES_CONFIG_KEY]: consumes.types };
    const refuseOthers: preParsingHookHandler = (request, _reply, payload, done) => {
      const error = refusal(consumes, request.headers);
      if (error) done(error);
      else done(null, payload);
    };
    route.preParsing = [
      refuseOthers,
      capBody(limit, limit === ingestBytes && limit !== otherBytes),
      ...[route.preParsing ?? []].flat(),
    ];
  });
  const json = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  // No parser limit: each route's bodyLimit (set above) applies, the server's to anything else.
  fastify.addContentTypeParser(
    [JSON_TYPE, ...CLOUDEVENTS_TYPES],
    { parseAs: 'string' },
    (req, body, done) => {
      (req as RawBodyRequest).rawBody = body as string;
      // Fastify's default parser answers through `done`; it returns nothing to await.
      void json(req, body as string, done);
    },
  );
  fastify.addContentTypeParser(TEXT_BODY_TYPES, { parseAs: 'string' }, (req, body, done) => {
    (req as RawBodyRequest).rawBody = body as string;
    done(null, body);
  });
  fastify.addContentTypeParser(
    'application/x-ndjson',
    { parseAs: 'string' },
    (_req, body, done) => {
      const items: unknown[] = [];
      const lines = (body as string).split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (!line) continue;
        if (items.length >= maxReports) {
          done(reportCapError(maxReports), undefined);
          return;
        }
        try {
          items.push(JSON.parse(line));
        } catch {
          done(new NdjsonError(`line ${i + 1} is not valid JSON`), undefined);
          return;
        }
      }
      done(null, items);
    },
  );
}
