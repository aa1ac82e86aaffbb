import {
  BadRequestException,
  NotFoundException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';

import {
  DependencyUnavailableError,
  InvalidInputError,
  NotFoundError,
} from '../errors/domain-errors';
import { toErrorBody } from './http-exception.filter';

describe('toErrorBody', () => {
  it('keeps the field list of an invalid input', () => {
    const { status, body } = toErrorBody(
      new InvalidInputError([{ path: '/service', reason: 'is required' }]),
    );
    expect(status).toBe(400);
    expect(body).toMatchObject({
      statusCode: 400,
      errors: [{ path: '/service', reason: 'is required' }],
    });
  });

  it('gives a plain-message client error a reason phrase and a whole-body error entry', () => {
    expect(toErrorBody(new BadRequestException('Body is not valid JSON')).body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Body is not valid JSON',
      errors: [{ path: '', reason: 'Body is not valid JSON' }],
    });
    expect(
      toErrorBody({
        statusCode: 415,
        code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        message: 'Unsupported Media Type: text/plain',
      }),
    ).toMatchObject({
      status: 415,
      body: { error: 'Unsupported Media Type' },
    });
    expect(
      toErrorBody(
        new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'no such thing' }),
      ).body,
    ).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'no such thing',
      errors: [{ path: '', reason: 'no such thing' }],
    });
  });

  it('lists the types a route takes under /content-type in a 415, whatever raised it', () => {
    const consumes = ['application/json', 'text/plain', 'application/health+json'];
    const errors = [
      {
        path: '/content-type',
        reason: 'must be one of application/json, text/plain, application/health+json',
      },
    ];
    const fastify415 = {
      statusCode: 415,
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      message: 'Unsupported Media Type',
    };
    expect(toErrorBody(fastify415, { consumes })).toEqual({
      status: 415,
      body: {
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: 'Unsupported Media Type',
        errors,
      },
    });
    expect(
      toErrorBody(new UnsupportedMediaTypeException('Unsupported Media Type'), { consumes }).body
        .errors,
    ).toEqual(errors);
    // A route that does not say keeps the whole-body entry; other statuses are left alone.
    expect(toErrorBody(fastify415).body.errors).toEqual([
      { path: '', reason: 'Unsupported Media Type' },
    ]);
    expect(
      toErrorBody(new BadRequestException('Body is not valid JSON'), { consumes }).body.errors,
    ).toEqual([{ path: '', reason: 'Body is not valid JSON' }]);
  });

  it('maps domain errors to their status with the same body shape', () => {
    expect(toErrorBody(new NotFoundError('no incident "x"'))).toEqual({
      status: 404,
      body: {
        statusCode: 404,
        error: 'Not Found',
        message: 'no incident "x"',
        errors: [{ path: '', reason: 'no incident "x"' }],
      },
    });
    expect(toErrorBody(new DependencyUnavailableError('redis'))).toEqual({
      status: 503,
      body: {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'redis is unavailable, retry later',
      },
    });
  });

  it('hides the internals of unexpected errors', () => {
    const { status, body } = toErrorBody(new Error('password=hunter2 at db.ts:12'));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });
});

describe('a dependency out of reach', () => {
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

  it('is a 503 naming Postgres, whatever shape the driver gave it', () => {
    const shutDown = Object.assign(
      new Error('terminating connection due to administrator command'),
      {
        code: '57P01',
      },
    );
    const wrapped = Object.assign(new Error(shutDown.message), {
      name: 'QueryFailedError',
      driverError: shutDown,
    });
    const aggregate = new AggregateError([refused(), refused()], '');
    for (const e of [
      refused(),
      shutDown,
      wrapped,
      aggregate,
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ]) {
      const { status, body } = toErrorBody(e);
      expect({ message: e.message, status, body }).toEqual({
        message: e.message,
        status: 503,
        body: expect.objectContaining({ message: 'Postgres is unavailable, retry later' }),
      });
    }
  });

  it('names Redis when ioredis gave up; anything else stays a 500 that shows nothing', () => {
    expect(toErrorBody(new Error('Connection is closed.')).body.message).toBe(
      'Redis is unavailable, retry later',
    );
    const other = Object.assign(new Error('duplicate key value'), { code: '23505' });
    expect(toErrorBody(other)).toEqual({
      status: 500,
      body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' },
    });
  });
});
