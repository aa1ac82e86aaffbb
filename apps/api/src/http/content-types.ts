import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Thrown by the NDJSON parser; the exception filter turns it into a 400 naming the line. */
class NdjsonError extends Error {
  readonly statusCode = 400;
  readonly code = 'FAULTLINE_INVALID_NDJSON';
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

export const isTextBodyType = (contentType: string | undefined): boolean =>
  contentType !== undefined &&
  TEXT_BODY_TYPES.includes(contentType.split(';')[0].trim().toLowerCase());

/**
 * The body formats the API takes: JSON (Fastify's own parser, with its prototype-poisoning
 * checks; the text is kept on the request for signature checks), NDJSON (one report a line,
 * parsed into an array), and, as plain strings, the text types of the health formats
 * (oslo's text/plain, application/health+json, Spring's actuator types): only the format
 * push endpoints accept a string body (the others answer 415). Every other type is refused
 * with 415 before the body is read.
 */
export function registerContentTypes(fastify: FastifyInstance, bodyLimit: number): void {
  const json = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit },
    (req, body, done) => {
      (req as RawBodyRequest).rawBody = body as string;
      // Fastify's default parser answers through `done`; it returns nothing to await.
      void json(req, body as string, done);
    },
  );
  fastify.addContentTypeParser(
    TEXT_BODY_TYPES,
    { parseAs: 'string', bodyLimit },
    (req, body, done) => {
      (req as RawBodyRequest).rawBody = body as string;
      done(null, body);
    },
  );
  fastify.addContentTypeParser(
    'application/x-ndjson',
    { parseAs: 'string', bodyLimit },
    (_req, body, done) => {
      const items: unknown[] = [];
      const lines = (body as string).split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (!line) continue;
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
