import type { SafeResponse } from '../http';
import type { PollTarget } from '../targets/poll-target.model';
import { boundedPollReports, runWithin, TimeBoundExceeded } from './bounded-poll';
import { REACHABILITY_CHECK } from './poll-reports';

const NOW = Date.parse('2026-11-25T10:00:00Z');

const target: PollTarget = {
  id: 'nova-api',
  url: 'http://nova-api.internal:8774/healthcheck',
  format: 'oslo',
  intervalMs: 10_000,
  timeoutMs: 5_000,
  tlsVerify: true,
  allowLinkLocal: false,
  service: 'nova',
  headerNames: [],
  origin: 'api',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
};

const answered = (body: string, contentType: string) => {
  const response: SafeResponse = {
    status: 503,
    body,
    contentType,
    elapsedMs: 12,
    url: target.url,
  };
  return { ok: true as const, response };
};

/** A megabyte of oslo reasons, as a hostile or broken target may answer. */
const megabyteOfReasons = (): string =>
  JSON.stringify({
    detailed: true,
    reasons: Array.from({ length: 12_000 }, (_, i) => ({
      reason: i % 100 === 0 ? `backend ${i} failed` : 'OK',
      details: `amqp://nova:secret@rabbit-${i}:5672/ ${'x'.repeat(40)}`,
      class: 'HealthcheckResult',
    })),
  });

describe('runWithin', () => {
  it('returns what the work returns, within its time', () => {
    expect(runWithin(1000, () => ({ answer: 42 }))).toEqual({ answer: 42 });
  });

  it('stops synchronous work that runs past its time, and runs again afterwards', () => {
    const started = Date.now();
    expect(() =>
      runWithin(50, () => {
        for (;;); // never returns on its own
      }),
    ).toThrow(TimeBoundExceeded);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(runWithin(1000, () => 'again')).toBe('again');
  });

  it('passes the work’s own errors through', () => {
    expect(() =>
      runWithin(1000, () => {
        throw new RangeError('own');
      }),
    ).toThrow(RangeError);
  });
});

describe('boundedPollReports', () => {
  it('reads a megabyte of reasons within the bound: 200 checks, the failures kept, reachable', () => {
    const body = megabyteOfReasons();
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const result = boundedPollReports(
      target,
      answered(body, 'application/json'),
      'worker-1',
      NOW,
      10_000,
    );
    expect(result.unreachable).toBeNull();
    const checks = result.reports[0].checks ?? [];
    expect(checks).toHaveLength(200);
    expect(checks.filter((c) => c.status === 'fail' && c.name !== REACHABILITY_CHECK)).toHaveLength(
      120,
    );
    expect(checks.find((c) => c.name === REACHABILITY_CHECK)?.status).toBe('pass');
  });

  it('an answer that takes longer to read than the bound: unreachable with that reason, no error', () => {
    const result = boundedPollReports(
      target,
      answered(megabyteOfReasons(), 'application/json'),
      'worker-1',
      NOW,
      1,
    );
    expect(result.unreachable).toMatch(/took more than 1 ms to read \(POLL_ADAPT_TIMEOUT_MS\)/);
    expect(result.reports).toHaveLength(1);
    expect(result.reports[0].checks).toEqual([
      expect.objectContaining({ name: REACHABILITY_CHECK, status: 'fail' }),
    ]);
  });
});
