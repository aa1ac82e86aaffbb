import type { FieldError } from '@faultline/reports';

import { mappingErrors, validatePollTarget } from './poll-target.schema';

const base = { url: 'http://orders-api.internal:8080/health', service: 'orders' };

/** The errors of a refused body (fails the test when the body is accepted). */
function errorsOf(body: unknown, prefix = ''): FieldError[] {
  const result = validatePollTarget(body, prefix);
  if (result.ok) throw new Error(`was accepted: ${JSON.stringify(result.target)}`);
  return result.errors;
}

const pathsOf = (errors: FieldError[]): string[] => errors.map((e) => e.path);

describe('validatePollTarget', () => {
  describe('defaults', () => {
    it('applies a 10 s interval and a 5 s timeout', () => {
      expect(validatePollTarget(base)).toEqual({
        ok: true,
        target: { ...base, intervalMs: 10_000, timeoutMs: 5_000 },
      });
    });

    it('defaults the timeout to half a short interval', () => {
      const result = validatePollTarget({ ...base, intervalMs: 3_000 });
      expect(result).toEqual({
        ok: true,
        target: { ...base, intervalMs: 3_000, timeoutMs: 1_500 },
      });
    });

    it('rounds half an odd interval down', () => {
      const result = validatePollTarget({ ...base, intervalMs: 1_001 });
      expect(result.ok && result.target.timeoutMs).toBe(500);
    });

    it('keeps the 5 s cap for a long interval and what the body gives', () => {
      expect(validatePollTarget({ ...base, intervalMs: 60_000 })).toMatchObject({
        ok: true,
        target: { intervalMs: 60_000, timeoutMs: 5_000 },
      });
      expect(validatePollTarget({ ...base, intervalMs: 60_000, timeoutMs: 20_000 })).toMatchObject({
        ok: true,
        target: { intervalMs: 60_000, timeoutMs: 20_000 },
      });
    });

    it('accepts and keeps every optional field', () => {
      const body = {
        ...base,
        id: 'orders-api.eu_1',
        url: 'https://orders.example.com/actuator/health',
        format: 'actuator',
        intervalMs: 30_000,
        timeoutMs: 2_000,
        headers: { Authorization: 'Bearer t0ken', 'X-Api-Key': 'k' },
        tlsVerify: false,
        allowLinkLocal: true,
        instance: 'orders-7',
        host: 'node-3',
        labels: { zone: 'eu-1' },
        mapping: { db: 'jdbc:mysql://orders-db:3306/orders', 'cache/primary': 'redis-1:6379' },
        labelMapping: { service: ['job'] },
      };
      expect(validatePollTarget(body)).toEqual({ ok: true, target: body });
    });
  });

  describe('errors, named by JSON pointer under the prefix', () => {
    it('refuses an unknown field', () => {
      expect(errorsOf({ ...base, interval: 5000 }, '/targets/3')).toEqual([
        { path: '/targets/3/interval', reason: 'is not a known field' },
      ]);
    });

    it('requires url and service', () => {
      expect(errorsOf({}, '/targets/0')).toEqual(
        expect.arrayContaining([
          { path: '/targets/0/url', reason: 'is required' },
          { path: '/targets/0/service', reason: 'is required' },
        ]),
      );
      expect(pathsOf(errorsOf({ url: base.url }))).toEqual(['/service']);
      expect(pathsOf(errorsOf({ service: 'orders' }))).toEqual(['/url']);
    });

    it('refuses a body that is not an object', () => {
      expect(errorsOf('http://orders/health', '/targets/1')).toEqual([
        { path: '/targets/1', reason: 'must be an object' },
      ]);
    });

    it('refuses a URL that does not parse', () => {
      expect(errorsOf({ ...base, url: 'orders-api/health' }, '/t')).toEqual([
        { path: '/t/url', reason: 'is not a URL' },
      ]);
    });

    it('refuses a scheme other than http and https', () => {
      expect(errorsOf({ ...base, url: 'ftp://files.internal/health' }, '/t')).toEqual([
        { path: '/t/url', reason: 'must be http or https' },
      ]);
    });

    it('refuses credentials in the URL', () => {
      expect(
        errorsOf({ ...base, url: 'https://admin:s3cret@orders.internal/health' }, '/t'),
      ).toEqual([{ path: '/t/url', reason: expect.stringMatching(/must not carry credentials/) }]);
      expect(pathsOf(errorsOf({ ...base, url: 'https://admin@orders.internal/health' }))).toEqual([
        '/url',
      ]);
    });

    it('refuses a timeout that is not shorter than the interval', () => {
      expect(errorsOf({ ...base, intervalMs: 5_000, timeoutMs: 5_000 }, '/t')).toEqual([
        { path: '/t/timeoutMs', reason: expect.stringMatching(/shorter than intervalMs/) },
      ]);
      expect(pathsOf(errorsOf({ ...base, intervalMs: 2_000, timeoutMs: 3_000 }))).toEqual([
        '/timeoutMs',
      ]);
      expect(validatePollTarget({ ...base, intervalMs: 5_000, timeoutMs: 4_999 }).ok).toBe(true);
    });

    it('refuses a header name that is not a token', () => {
      expect(errorsOf({ ...base, headers: { 'X Api Key': 'k' } }, '/t')).toEqual([
        { path: '/t/headers/X Api Key', reason: 'is not a valid header name' },
      ]);
    });

    it.each(['Host', 'content-length', 'Transfer-Encoding', 'CONNECTION', 'Upgrade'])(
      'refuses the connection header %s',
      (header) => {
        expect(errorsOf({ ...base, headers: { [header]: 'x' } }, '/t')).toEqual([
          { path: `/t/headers/${header}`, reason: 'is set by the poller itself' },
        ]);
      },
    );

    it('refuses a mapping value that is not a target URI, escaping "/" in the component name', () => {
      expect(
        errorsOf(
          {
            ...base,
            mapping: { 'db/primary': 'the primary database', cache: 'redis://cache-1:6379' },
          },
          '/t',
        ),
      ).toEqual([
        {
          path: '/t/mapping/db~1primary',
          reason: 'must be a URI such as amqp://host:5672, or host:port',
        },
      ]);
    });

    it('refuses an id outside the slug pattern', () => {
      for (const id of ['Orders', '-orders', 'orders api', '', 'a'.repeat(101)])
        expect(pathsOf(errorsOf({ ...base, id }, '/t'))).toEqual(['/t/id']);
      expect(validatePollTarget({ ...base, id: 'a'.repeat(100) }).ok).toBe(true);
    });

    it('refuses a format outside the enum, listing the allowed ones', () => {
      const [error] = errorsOf({ ...base, format: 'prometheus' }, '/t');
      expect(error.path).toBe('/t/format');
      expect(error.reason).toMatch(
        /^must be one of auto, oslo, health-json, actuator, terminus, aspnet, alertmanager$/,
      );
    });

    it('refuses intervals and timeouts out of range', () => {
      expect(pathsOf(errorsOf({ ...base, intervalMs: 999 }))).toEqual(['/intervalMs']);
      expect(pathsOf(errorsOf({ ...base, intervalMs: 1500.5 }))).toEqual(['/intervalMs']);
      expect(pathsOf(errorsOf({ ...base, timeoutMs: 99 }))).toEqual(['/timeoutMs']);
    });

    it('reports every semantic problem at once', () => {
      const errors = errorsOf(
        {
          ...base,
          url: 'ftp://u:p@files.internal/',
          intervalMs: 2_000,
          timeoutMs: 2_000,
          headers: { Host: 'x' },
          mapping: { db: 'nope nope' },
        },
        '/t',
      );
      expect(pathsOf(errors)).toEqual([
        '/t/url',
        '/t/url',
        '/t/timeoutMs',
        '/t/headers/Host',
        '/t/mapping/db',
      ]);
    });
  });

  it('escapes "/" in an invalid header name in its JSON pointer', () => {
    expect(pathsOf(errorsOf({ ...base, headers: { 'X/Api': 'k' } }))).toEqual(['/headers/X~1Api']);
  });

  it('says why an id is refused rather than blaming control characters', () => {
    const [error] = errorsOf({ ...base, id: 'Orders API' });
    expect(error.reason).not.toMatch(/control characters/);
  });
});

describe('mappingErrors', () => {
  it('accepts URIs, jdbc URIs and host:port', () => {
    expect(
      mappingErrors(
        { db: 'jdbc:postgresql://db-1:5432/orders', mq: 'amqp://rabbit-1', cache: 'redis-1:6379' },
        '/x',
      ),
    ).toEqual([]);
  });

  it('accepts no mapping', () => {
    expect(mappingErrors(undefined, '')).toEqual([]);
    expect(mappingErrors({}, '')).toEqual([]);
  });

  it('names every bad value by pointer, escaping "~" and "/"', () => {
    expect(
      mappingErrors(
        { ok: 'redis://r:6379', 'a/b': 'not a uri', 'x~y': 'http://:80', plain: 'amqp://' },
        '/targets/2',
      ),
    ).toEqual([
      {
        path: '/targets/2/mapping/a~1b',
        reason: 'must be a URI such as amqp://host:5672, or host:port',
      },
      { path: '/targets/2/mapping/x~0y', reason: expect.any(String) },
      { path: '/targets/2/mapping/plain', reason: expect.any(String) },
    ]);
  });
});
