import type { FastifyInstance } from 'fastify';

/** Thrown by the NDJSON parser; the exception filter turns it into a 400 naming the line. */
class NdjsonError extends Error {
  readonly statusCode = 400;
  readonly code = 'FAULTLINE_INVALID_NDJSON';
}

/**
 * The body formats the API takes: JSON (Fastify's own parser) and NDJSON, one report a line,
 * parsed into an array. Fastify's text/plain parser is removed so that any other type is
 * refused with 415 before the body is read.
 */
export function registerContentTypes(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('application/x-ndjson', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
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
  });
}
