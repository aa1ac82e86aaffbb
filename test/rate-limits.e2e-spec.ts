import { randomBytes } from 'node:crypto';

import { TokenService } from '@faultline/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createApiApp } from '../apps/api/src/api.app';
import { type Stack, startStack, uniqueName } from './support/stack';
import { TEST_ADMIN_TOKEN } from './support/test-env';

/** A request from `address` (the stacks below trust X-Forwarded-For, TRUST_PROXY=true, as behind a proxy). */
async function get(stack: Stack, path: string, token: string | null, address: string) {
  const res = await fetch(stack.baseUrl + path, {
    headers: {
      'x-forwarded-for': address,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    json: (await res.json()) as any,
  };
}

async function all<T>(
  n: number,
  concurrency: number,
  one: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await one(i);
      }
    }),
  );
  return out;
}

/**
 * Rate limits against a real api and Redis: per token and route scope, per client address, 429
 * with Retry-After; and a flood of unknown tokens costs Postgres a few token-table reads, not one
 * a request, nor the cache of the tokens in use.
 */
describe('rate limits', () => {
  describe('with small limits', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        worker: false,
        env: {
          TRUST_PROXY: 'true', // the addresses below come in X-Forwarded-For
          RATE_LIMIT_WINDOW_MS: '5000',
          RATE_LIMIT_READ_PER_S: '1', // 5 per window
          RATE_LIMIT_INGEST_PER_S: '20', // 100 per window
          RATE_LIMIT_ADMIN_PER_S: '10',
          RATE_LIMIT_ADDRESS_PER_S: '10', // 50 per window
        },
      });
    });
    afterAll(async () => {
      await stack.close();
    });

    const token = async (scopes: string[]): Promise<string> => {
      const res = await stack.call('POST', '/api/v1/tokens', { name: uniqueName('t'), scopes });
      expect(res.status).toBe(201);
      return res.json.token as string;
    };

    it('limits a token per route scope with 429 and Retry-After; other tokens and scopes go on', async () => {
      const greedy = await token(['read', 'ingest']);
      const other = await token(['read']);
      const results = await all(12, 4, () =>
        get(stack, '/api/v1/incidents', greedy, '198.51.100.1'),
      );
      const refused = results.filter((r) => r.status === 429);
      // At most two windows' worth pass (a burst may straddle a window's end).
      expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(10);
      expect(refused.length).toBeGreaterThanOrEqual(2);
      for (const r of refused) {
        expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
        expect(Number(r.retryAfter)).toBeLessThanOrEqual(5);
        expect(r.json.errors).toEqual([
          { path: 'header:authorization', reason: expect.stringMatching(/read rate limit/) },
        ]);
      }
      expect((await get(stack, '/api/v1/incidents', other, '198.51.100.2')).status).toBe(200);
      // Its ingest budget is its own.
      const posted = await fetch(`${stack.baseUrl}/api/v1/reports`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${greedy}`,
          'content-type': 'application/json',
          'x-forwarded-for': '198.51.100.1',
        },
        body: JSON.stringify({ service: uniqueName('rl') }),
      });
      expect(posted.status).toBe(202);
    });

    it('limits an address, known token or not, and only that address', async () => {
      // More than two windows' worth: unknown tokens wait for the token table (a read every
      // 250 ms), so the burst takes a second or two and may straddle a window's end.
      const results = await all(110, 8, () =>
        get(
          stack,
          '/api/v1/incidents',
          `flt_${randomBytes(32).toString('base64url')}`,
          '203.0.113.7',
        ),
      );
      const refused = results.filter((r) => r.status === 429);
      expect(results.filter((r) => r.status === 401).length).toBeLessThanOrEqual(100);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(refused[0].json.message).toMatch(/from this address/);
      expect(Number(refused[0].retryAfter)).toBeGreaterThanOrEqual(1);
      const known = await get(stack, '/api/v1/tokens', TEST_ADMIN_TOKEN, '203.0.113.7');
      const elsewhere = await get(stack, '/api/v1/tokens', TEST_ADMIN_TOKEN, '203.0.113.8');
      expect(elsewhere.status).toBe(200);
      if (known.status !== 200) expect(known.status).toBe(429); // its window may have turned
      expect((await fetch(`${stack.baseUrl}/readyz`)).status).toBe(200);
    });
  });

  describe('across api processes', () => {
    let stack: Stack;
    let second: NestFastifyApplication;
    let secondUrl: string;
    beforeAll(async () => {
      stack = await startStack({
        worker: false,
        env: { RATE_LIMIT_WINDOW_MS: '60000', RATE_LIMIT_READ_PER_S: '1' }, // 60 per window
      });
      // A second api on the same Redis keys, as a second process of one deployment would be.
      second = await createApiApp(stack.config);
      await second.listen({ port: 0, host: '127.0.0.1' });
      secondUrl = `http://127.0.0.1:${(second.getHttpServer().address() as { port: number }).port}`;
    });
    afterAll(async () => {
      await second.close();
      await stack.close();
    });

    it('holds one limit for a token: what one process admitted, the other refuses after its next sync', async () => {
      const created = await stack.call('POST', '/api/v1/tokens', {
        name: 'spender',
        scopes: ['read'],
      });
      const token: string = created.json.token;
      const first = await all(60, 4, () => get(stack, '/api/v1/incidents', token, '127.0.0.1'));
      expect(first.every((r) => r.status === 200)).toBe(true);
      // The second process decides on the count Redis gave it at its last sync: it may admit
      // what reaches it within one sync period (RATE_SYNC_MS, 50 ms), then refuses.
      const onSecond: number[] = [];
      for (let i = 0; i < 10 && !onSecond.includes(429); i++) {
        onSecond.push(
          (await get({ baseUrl: secondUrl } as Stack, '/api/v1/incidents', token, '127.0.0.1'))
            .status,
        );
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(onSecond).toContain(429);
      expect(onSecond.filter((s) => s === 200).length).toBeLessThanOrEqual(2);
      // And the first process, having synced too, refuses as well.
      await new Promise((r) => setTimeout(r, 150));
      expect((await get(stack, '/api/v1/incidents', token, '127.0.0.1')).status).toBe(429);
    });
  });

  describe('a flood of unknown tokens', () => {
    let stack: Stack;
    beforeAll(async () => {
      // A long AUTH_CACHE_MS: the token table is read only for misses during the test.
      stack = await startStack({
        worker: false,
        env: { AUTH_CACHE_MS: '60000', TRUST_PROXY: 'true' },
      });
    });
    afterAll(async () => {
      await stack.close();
    });

    it('is refused without a token-table read per request, and the tokens in use stay cached', async () => {
      const created = await stack.call('POST', '/api/v1/tokens', {
        name: 'reader',
        scopes: ['read'],
      });
      const reader: string = created.json.token;
      expect((await get(stack, '/api/v1/incidents', reader, '127.0.0.1')).status).toBe(200);
      const tokens = stack.api.get(TokenService);
      const before = tokens.loads;
      const started = Date.now();
      const flood = await all(2000, 100, () =>
        get(
          stack,
          '/api/v1/incidents',
          `flt_${randomBytes(32).toString('base64url')}`,
          '192.0.2.1',
        ),
      );
      const elapsed = Date.now() - started;
      expect(flood.every((r) => r.status === 401)).toBe(true);
      // Reloads are spaced 250 ms apart and shared by every request waiting: a handful, not 2000.
      expect(tokens.loads - before).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2);
      // The same unknown token again is refused from memory; the reader's token needs no read.
      const repeated = `flt_${randomBytes(32).toString('base64url')}`;
      await get(stack, '/api/v1/incidents', repeated, '192.0.2.1');
      const afterFlood = tokens.loads;
      await all(200, 20, () => get(stack, '/api/v1/incidents', repeated, '192.0.2.1'));
      expect((await get(stack, '/api/v1/incidents', reader, '127.0.0.1')).status).toBe(200);
      expect(tokens.loads).toBe(afterFlood);
      expect((await fetch(`${stack.baseUrl}/readyz`)).status).toBe(200);
    });
  });
});
