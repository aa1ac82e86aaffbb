import { HttpExceptionFilter } from '@faultline/platform';
import { Body, Controller, Module, Post, Put } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

import { consumesOf, refusal, registerContentTypes, TEXT_BODY_TYPES } from './content-types';

@Controller('api/v1')
class EchoController {
  @Post('reports')
  reports(@Body() body: unknown): unknown {
    return { body };
  }

  @Post('ingest/:format')
  ingest(@Body() body: unknown): unknown {
    return { body };
  }

  @Put('mappings/:name')
  mapping(@Body() body: unknown): unknown {
    return { body };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

describe('content types', () => {
  describe('consumesOf', () => {
    it('gives each route with a body its types: JSON unless it takes more', () => {
      expect(consumesOf({ method: 'POST', url: '/api/v1/reports' })?.types).toEqual([
        'application/json',
        'application/x-ndjson',
      ]);
      expect(consumesOf({ method: 'POST', url: '/api/v1/ingest/:format' })?.types).toEqual([
        'application/json',
        ...TEXT_BODY_TYPES,
      ]);
      expect(consumesOf({ method: 'PUT', url: '/api/v1/mappings/:name' })?.types).toEqual([
        'application/json',
      ]);
      expect(consumesOf({ method: ['GET', 'HEAD'], url: '/api/v1/reports' })).toBeNull();
      expect(
        consumesOf({ method: 'POST', url: '/x', config: { consumes: ['text/csv'] } })?.types,
      ).toEqual(['text/csv']);
    });
  });

  describe('refusal', () => {
    const json = { types: ['application/json'] };
    it('passes a listed type, whatever its parameters and case, and a request without a body', () => {
      expect(refusal(json, { 'content-type': 'Application/JSON; charset=utf-8' })).toBeNull();
      expect(refusal(json, {})).toBeNull();
      expect(refusal(json, { 'content-length': '0' })).toBeNull();
    });
    it('refuses another type, or a body without one, naming what the route takes', () => {
      expect(refusal(json, { 'content-type': 'text/xml' })?.message).toBe(
        'Unsupported Media Type: text/xml; this route takes application/json',
      );
      expect(refusal(json, { 'content-length': '2' })?.message).toMatch(
        /no content-type; this route takes application\/json$/,
      );
      expect(refusal(json, { 'transfer-encoding': 'chunked' })).toMatchObject({ statusCode: 415 });
    });
  });

  describe('on a running api (Nest on Fastify, the exception filter)', () => {
    let app: NestFastifyApplication;
    beforeAll(async () => {
      app = await NestFactory.create<NestFastifyApplication>(EchoModule, new FastifyAdapter(), {
        logger: false,
        bodyParser: false,
      });
      registerContentTypes(app.getHttpAdapter().getInstance(), 1024 * 1024);
      app.useGlobalFilters(new HttpExceptionFilter());
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
    });
    afterAll(() => app.close());

    const post = (url: string, headers: Record<string, string>, payload: string, method = 'POST') =>
      app.inject({ method: method as 'POST', url, headers, payload });

    it('a 415 says which types the route takes, under /content-type', async () => {
      const res = await post('/api/v1/ingest/oslo', { 'content-type': 'application/xml' }, '<x/>');
      expect(res.statusCode).toBe(415);
      expect(res.json()).toEqual({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: `Unsupported Media Type: application/xml; this route takes application/json, ${TEXT_BODY_TYPES.join(', ')}`,
        errors: [
          {
            path: '/content-type',
            reason: `must be one of application/json, ${TEXT_BODY_TYPES.join(', ')}`,
          },
        ],
      });
    });

    it('a body without a content type is a 415 naming the types too', async () => {
      const res = await post('/api/v1/reports', {}, '{"service":"a"}');
      expect(res.statusCode).toBe(415);
      expect(res.json().errors).toEqual([
        { path: '/content-type', reason: 'must be one of application/json, application/x-ndjson' },
      ]);
      expect(res.json().message).toMatch(/other formats go to POST \/api\/v1\/ingest\/<format>/);
    });

    it('text goes only to the format endpoints; JSON and NDJSON where listed', async () => {
      const text = await post('/api/v1/reports', { 'content-type': 'text/plain' }, 'OK');
      expect(text.statusCode).toBe(415);
      expect(text.json().errors[0].reason).toBe(
        'must be one of application/json, application/x-ndjson',
      );
      const mapping = await post(
        '/api/v1/mappings/db',
        { 'content-type': 'application/x-ndjson' },
        '{}\n',
        'PUT',
      );
      expect(mapping.statusCode).toBe(415);
      expect(mapping.json().errors[0].reason).toBe('must be one of application/json');
      expect(
        (await post('/api/v1/ingest/oslo', { 'content-type': 'text/plain' }, 'OK')).json(),
      ).toEqual({ body: 'OK' });
      expect(
        (await post('/api/v1/reports', { 'content-type': 'application/x-ndjson' }, '{"a":1}\n'))
          .statusCode,
      ).toBe(201);
      expect(
        (await post('/api/v1/mappings/db', { 'content-type': 'application/json' }, '{}', 'PUT'))
          .statusCode,
      ).toBe(200);
    });
  });
});
