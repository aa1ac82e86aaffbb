import { signBody, signRequest } from '@faultline/collectors';

import { pollUntil } from '../bench/support/poll-until';
import { type Stack, startStack, uniqueName } from './support/stack';
import { TEST_ADMIN_TOKEN } from './support/test-env';

const SECRET_KEY = 'e'.repeat(64);
const SECRET = 'nova-signing-secret-0123456789';
const OTHER_SECRET = 'other-signing-secret-0123456789';

/**
 * Impersonation, end to end against a real api and worker: a token bound to some services
 * cannot report for another, a service a signing push source reserves cannot be reported for
 * unsigned or by another source, a signature covers the whole request (identity in the query
 * and X-Faultline-* headers included) and is accepted once, and the clock allowance is 5 min
 * past, 60 s ahead. Each refused request stores nothing; the service stays ready.
 */
describe('impersonation', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { FAULTLINE_SECRET_KEY: SECRET_KEY } });
  });
  afterAll(async () => {
    await stack.close();
  });

  /** A POST as a push sender makes it: raw body, any headers, signed by `secret` unless told not to. */
  async function push(
    path: string,
    body: string,
    init: {
      token?: string;
      headers?: Record<string, string>;
      sign?: {
        secret: string;
        at?: number;
        as?: { path?: string; headers?: Record<string, string> };
      };
      signature?: string;
    } = {},
  ) {
    const headers: Record<string, string> = {
      authorization: `Bearer ${init.token ?? TEST_ADMIN_TOKEN}`,
      'content-type': 'text/plain',
      ...init.headers,
    };
    if (init.sign)
      headers['x-faultline-signature'] = signRequest(
        init.sign.secret,
        {
          method: 'POST',
          url: init.sign.as?.path ?? path,
          headers: init.sign.as?.headers ?? init.headers ?? {},
          body,
        },
        init.sign.at ?? Date.now(),
      );
    if (init.signature) headers['x-faultline-signature'] = init.signature;
    const res = await fetch(stack.baseUrl + path, { method: 'POST', headers, body });
    return { status: res.status, json: (await res.json()) as any };
  }

  const stored = async (service: string): Promise<string[]> =>
    (
      await stack.sql<{ instance: string }>(
        'SELECT instance FROM reports WHERE service = $1 ORDER BY instance',
        [service],
      )
    ).map((r) => r.instance);

  /** Waits for a control report (accepted after the refused ones) to land: the worker has caught up. */
  async function settle(): Promise<void> {
    const control = uniqueName('control');
    expect((await stack.call('POST', '/api/v1/reports', { service: control })).status).toBe(202);
    await pollUntil(
      () => stored(control),
      (rows) => rows.length === 1,
      {
        what: 'the control report stored',
      },
    );
  }

  it('a token bound to billing-* cannot report for another service, natively or pushed', async () => {
    const billing = uniqueName('billing');
    const nova = uniqueName('nova-api');
    const created = await stack.call('POST', '/api/v1/tokens', {
      name: 'billing-ingest',
      scopes: ['ingest'],
      services: ['billing-*'],
    });
    expect(created.status).toBe(201);
    expect(created.json.services).toEqual(['billing-*']);
    const token: string = created.json.token;
    const listed = await stack.call('GET', '/api/v1/tokens');
    expect(listed.json.items.find((t: { id: string }) => t.id === created.json.id)).toMatchObject({
      services: ['billing-*'],
    });
    const bad = await stack.call('POST', '/api/v1/tokens', {
      name: 'x',
      scopes: ['ingest'],
      services: ['nova/api'],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json.errors)).toContain('services');

    // A batch with one foreign report is refused whole: the billing report in it is not stored.
    const mixed = await stack.call(
      'POST',
      '/api/v1/reports',
      [
        { service: billing, instance: 'refused-1' },
        { service: nova, instance: 'refused-1' },
      ],
      { token },
    );
    expect(mixed.status).toBe(403);
    expect(mixed.json.errors).toEqual([
      { path: '/1/service', reason: expect.stringContaining(`"${nova}"`) },
    ]);
    const single = await stack.call('POST', '/api/v1/reports', { service: nova }, { token });
    expect(single.status).toBe(403);
    expect(single.json.errors[0].path).toBe('/service');

    const pushed = await push(`/api/v1/ingest/oslo?service=${nova}&instance=refused-2`, 'OK', {
      token,
    });
    expect(pushed.status).toBe(403);
    expect(pushed.json.errors).toEqual([
      { path: '/0/service', reason: expect.stringContaining(`"${nova}"`) },
    ]);
    const viaHeader = await push('/api/v1/ingest/oslo', 'OK', {
      token,
      headers: { 'x-faultline-service': nova, 'x-faultline-instance': 'refused-3' },
    });
    expect(viaHeader.status).toBe(403);

    // Its own services it reports for, both ways.
    expect(
      (
        await stack.call(
          'POST',
          '/api/v1/reports',
          { service: billing, instance: 'ok-1' },
          { token },
        )
      ).status,
    ).toBe(202);
    expect(
      (await push(`/api/v1/ingest/oslo?service=${billing}&instance=ok-2`, 'OK', { token })).status,
    ).toBe(202);
    await settle();
    await pollUntil(
      () => stored(billing),
      (rows) => rows.length === 2,
      {
        what: 'the two billing reports stored',
      },
    );
    expect(await stored(billing)).toEqual(['ok-1', 'ok-2']);
    expect(await stored(nova)).toEqual([]);
  });

  it('a signing source reserves its service: unsigned, forged, stale, early and replayed pushes are refused', async () => {
    const nova = uniqueName('nova-api');
    const src = uniqueName('nova-src');
    const other = uniqueName('other-src');
    expect(
      (await stack.call('PUT', `/api/v1/sources/${src}`, { service: nova, secret: SECRET })).status,
    ).toBe(201);
    expect(
      (await stack.call('PUT', `/api/v1/sources/${other}`, { secret: OTHER_SECRET })).status,
    ).toBe(201);
    const path = (instance: string, source = src) =>
      `/api/v1/ingest/oslo?source=${source}&instance=${instance}`;

    // Unsigned: native, pushed without a source, pushed as another (signing) source.
    const native = await stack.call('POST', '/api/v1/reports', { service: nova, instance: 'n-1' });
    expect(native.status).toBe(403);
    expect(native.json.errors).toEqual([
      { path: '/service', reason: expect.stringMatching(new RegExp(`reserved by .*"${src}"`)) },
    ]);
    const anonymous = await push(`/api/v1/ingest/oslo?service=${nova}&instance=n-2`, 'OK');
    expect(anonymous.status).toBe(403);
    expect(anonymous.json.errors[0].path).toBe('/0/service');
    const byOther = await push(
      `/api/v1/ingest/oslo?source=${other}&service=${nova}&instance=n-3`,
      'OK',
      {
        sign: { secret: OTHER_SECRET },
      },
    );
    expect(byOther.status).toBe(403);
    expect(byOther.json.errors[0].reason).toContain(`"${nova}"`);

    // Signatures: missing, body-only v1, another path or identity than signed, stale, early.
    const header = `header:x-faultline-signature`;
    const refusedWith = async (
      res: Promise<{ status: number; json: any }>,
      reason: RegExp,
    ): Promise<void> => {
      const { status, json } = await res;
      expect(status).toBe(401);
      expect(json.errors).toEqual([{ path: header, reason: expect.stringMatching(reason) }]);
    };
    await refusedWith(push(path('s-1'), 'OK'), /missing/);
    await refusedWith(
      push(path('s-2'), 'OK', { signature: signBody(SECRET, 'OK', Date.now()) }),
      /v1 signs only the body/,
    );
    await refusedWith(
      push(path('s-3'), 'OK', { sign: { secret: SECRET, as: { path: path('signed-instance') } } }),
      /does not match the request/,
    );
    await refusedWith(
      push(path('s-4'), 'OK', {
        headers: { 'x-faultline-host': 'attacker-host' },
        sign: { secret: SECRET, as: { headers: {} } },
      }),
      /does not match the request/,
    );
    await refusedWith(
      push(path('s-5'), 'OK', { sign: { secret: SECRET, at: Date.now() - 6 * 60_000 } }),
      /5 minutes old/,
    );
    await refusedWith(
      push(path('s-6'), 'OK', { sign: { secret: SECRET, at: Date.now() + 2 * 60_000 } }),
      /60 seconds ahead/,
    );

    // Signed properly, 4 minutes old: accepted once, then refused as a replay.
    const signature = signRequest(
      SECRET,
      { method: 'POST', url: path('good'), headers: {}, body: 'OK' },
      Date.now() - 4 * 60_000,
    );
    const good = await push(path('good'), 'OK', { signature });
    expect(good.status).toBe(202);
    await refusedWith(push(path('good'), 'OK', { signature }), /already used/);

    await settle();
    await pollUntil(
      () => stored(nova),
      (rows) => rows.length > 0,
      { what: 'the signed report' },
    );
    expect(await stored(nova)).toEqual(['good']);
  });

  it('refuses reports more than 60 s ahead, naming observedAt', async () => {
    const service = uniqueName('future');
    const ahead = await stack.call('POST', '/api/v1/reports', [
      { service, instance: 'a' },
      { service, instance: 'b', observedAt: new Date(Date.now() + 2 * 60_000).toISOString() },
    ]);
    expect(ahead.status).toBe(400);
    expect(ahead.json.errors).toEqual([
      { path: '/1/observedAt', reason: 'is more than 60 seconds in the future' },
    ]);
    const nearly = await stack.call('POST', '/api/v1/reports', {
      service,
      instance: 'c',
      observedAt: new Date(Date.now() + 30_000).toISOString(),
    });
    expect(nearly.status).toBe(202);
    await settle();
    await pollUntil(
      () => stored(service),
      (rows) => rows.length > 0,
      { what: 'the report 30 s ahead' },
    );
    expect(await stored(service)).toEqual(['c']);
  });

  it('is still ready after every refusal', async () => {
    const res = await fetch(`${stack.baseUrl}/readyz`);
    expect(res.status).toBe(200);
  });
});
