import { readFileSync } from 'fs';
import { join } from 'path';

import { detectFormat } from './detect-format';
import type { FormatName } from './format.model';

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('detectFormat', () => {
  // Every fixture (sources in fixtures/README.md), with the headers its source documents.
  it.each<[string, string | undefined, number | undefined, FormatName]>([
    ['oslo-plain-ok.txt', 'text/plain; charset=UTF-8', 200, 'oslo'],
    ['oslo-plain-disabled.txt', 'text/plain; charset=UTF-8', 503, 'oslo'],
    ['oslo-json-simple.json', 'application/json', 200, 'oslo'],
    ['oslo-json-detailed.json', 'application/json', 200, 'oslo'],
    ['oslo-real-text-503.txt', 'text/plain; charset=UTF-8', 503, 'oslo'],
    ['oslo-real-json-simple.json', 'application/json', 503, 'oslo'],
    ['oslo-real-json-detailed.json', 'application/json', 503, 'oslo'],
    ['oslo-real-json-detailed-dict.json', 'application/json', 503, 'oslo'],
    ['oslo-real-json-detailed-disabled.json', 'application/json', 503, 'oslo'],
    ['health-json-example.json', 'application/health+json', 200, 'health-json'],
    ['health-json-example.json', 'application/json', 200, 'health-json'],
    ['actuator-health.json', 'application/json', 200, 'actuator'],
    ['actuator-down.json', 'application/vnd.spring-boot.actuator.v3+json', 503, 'actuator'],
    ['terminus-ok.json', 'application/json; charset=utf-8', 200, 'terminus'],
    ['terminus-error.json', 'application/json; charset=utf-8', 503, 'terminus'],
    ['terminus-dog-error.json', 'application/json', 503, 'terminus'],
    ['terminus-real-error.json', 'application/json; charset=utf-8', 503, 'terminus'],
    ['terminus-real-ok.json', 'application/json; charset=utf-8', 200, 'terminus'],
    ['terminus-live-error.json', 'application/json; charset=utf-8', 503, 'terminus'],
    ['terminus-live-ok.json', 'application/json; charset=utf-8', 200, 'terminus'],
    ['aspnet-healthy.json', 'application/json', 200, 'aspnet'],
    ['aspnet-unhealthy.json', 'application/json', 503, 'aspnet'],
    ['alertmanager-probe-failure.json', 'application/json', undefined, 'alertmanager'],
    ['alertmanager-storm.json', undefined, undefined, 'alertmanager'],
    ['alertmanager-real-firing.json', 'application/json', undefined, 'alertmanager'],
    ['alertmanager-real-resolved.json', 'application/json', undefined, 'alertmanager'],
  ])('%s (%s, %s) is %s', (name, contentType, httpStatus, format) => {
    expect(detectFormat({ body: fixture(name), contentType, httpStatus })).toBe(format);
  });

  it('trusts the health+json media type over the body', () => {
    expect(
      detectFormat({
        body: '{"status":"UP"}',
        contentType: 'application/health+json; charset=utf-8',
      }),
    ).toBe('health-json');
  });

  it('reads an empty answer with an HTTP status as oslo (HEAD → 204)', () => {
    expect(detectFormat({ body: '', httpStatus: 204 })).toBe('oslo');
    expect(detectFormat({ body: '' })).toBeNull();
  });

  it('reads short plain-text reasons of any case as oslo, as plugins write them', () => {
    expect(detectFormat({ body: 'RabbitMQ connection failed', contentType: 'text/plain' })).toBe(
      'oslo',
    );
    expect(detectFormat({ body: 'OK\nDatabase unreachable (pool exhausted)' })).toBe('oslo');
  });

  it('tells the JSON formats apart by their evidence, in order', () => {
    expect(detectFormat({ body: '{"status":"UP"}' })).toBe('actuator');
    expect(detectFormat({ body: '{"status":"pass"}' })).toBe('health-json');
    expect(detectFormat({ body: '{"status":"ok","checks":{"db":[{"status":"up"}]}}' })).toBe(
      'health-json',
    );
    expect(detectFormat({ body: '{"status":"ok","details":{}}' })).toBe('terminus');
    expect(detectFormat({ body: '{"status":"Degraded","entries":{}}' })).toBe('aspnet');
    expect(detectFormat({ body: '{"version":"4","alerts":[],"status":"ok","details":{}}' })).toBe(
      'alertmanager',
    );
  });

  it('finds no format in random JSON that carries none of the evidence', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const keys = [
      'result',
      'data',
      'items',
      'health',
      'state',
      'name',
      'message',
      'uptime',
      'services',
    ];
    const atoms = [null, true, 0, 'UP', 'pass', 'ok', 'Healthy', [], {}];
    const value = (depth: number): unknown =>
      depth > 2 || random() < 0.4
        ? atoms[Math.floor(random() * atoms.length)]
        : Object.fromEntries(
            Array.from({ length: 1 + Math.floor(random() * 4) }, () => [
              keys[Math.floor(random() * keys.length)],
              value(depth + 1),
            ]),
          );
    for (let i = 0; i < 300; i++) {
      const body = JSON.stringify({ [keys[i % keys.length]]: value(0) });
      expect([body, detectFormat({ body, contentType: 'application/json' })]).toEqual([body, null]);
    }
  });

  it.each([
    ['{"hello":"world"}', 'application/json'],
    ['{"status":"green"}', 'application/json'],
    ['[{"status":"pass"}]', 'application/json'],
    ['{"alerts":[]}', 'application/json'],
    ['{"status":"Healthy"}', 'application/json'],
    ['42', 'application/json'],
    ['<html><body>Service Unavailable</body></html>', 'text/html'],
    ['<html><body>OK</body></html>', undefined],
    ['Internal server error: something broke at line 12', 'text/plain'],
    ['Service Unavailable', 'text/plain'],
    ['503 SERVICE UNAVAILABLE', 'text/plain'],
    ['404 page not found', 'text/plain; charset=utf-8'],
    ['no healthy upstream', 'text/plain'],
    [
      'upstream connect error or disconnect/reset before headers. reset reason: overflow',
      undefined,
    ],
    ['The server is temporarily unable to service your request', 'text/plain'],
    ['OK\nthe quick brown fox jumps over the lazy dog', 'text/plain'],
    ['status=ok', 'text/plain'],
    ['{"status": "pass"', 'application/json'],
    ['OK', 'application/octet-stream'],
  ])('finds no format in %s (%s)', (body, contentType) => {
    expect(detectFormat({ body, contentType })).toBeNull();
  });
});
