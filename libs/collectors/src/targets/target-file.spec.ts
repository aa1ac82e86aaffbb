import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { adapt } from '@faultline/formats';

import { splitHeaders } from './secret-headers';
import { parseTargetFile, TargetFileError } from './target-file';

const FILE = '/etc/faultline/targets.yaml';

/** The TargetFileError a text is refused with (fails the test when it is accepted). */
function refusal(text: string, file = FILE): TargetFileError {
  try {
    parseTargetFile(text, file);
  } catch (e) {
    if (e instanceof TargetFileError) return e;
    throw e;
  }
  throw new Error('was accepted');
}

describe('parseTargetFile', () => {
  it('reads a valid file into validated inputs, defaults applied', () => {
    const text = `
targets:
  - id: orders-api
    url: http://orders-api.internal:8080/actuator/health
    service: orders
    format: actuator
    mapping:
      db: mysql://orders-db:3306
  - id: nova-api
    url: https://nova.internal:8774/healthcheck
    service: nova-api
    intervalMs: 30000
    timeoutMs: 2000
    headers:
      Authorization: Bearer t0ken
    labels:
      zone: eu-1
`;
    expect(parseTargetFile(text, FILE)).toEqual([
      {
        id: 'orders-api',
        url: 'http://orders-api.internal:8080/actuator/health',
        service: 'orders',
        format: 'actuator',
        mapping: { db: 'mysql://orders-db:3306' },
        intervalMs: 10_000,
        timeoutMs: 5_000,
      },
      {
        id: 'nova-api',
        url: 'https://nova.internal:8774/healthcheck',
        service: 'nova-api',
        intervalMs: 30_000,
        timeoutMs: 2_000,
        headers: { Authorization: 'Bearer t0ken' },
        labels: { zone: 'eu-1' },
      },
    ]);
  });

  it('accepts an empty list', () => {
    expect(parseTargetFile('targets: []\n', FILE)).toEqual([]);
  });

  it('refuses invalid YAML with an error at the file itself', () => {
    const error = refusal('targets:\n  - id: a\n    url: [unclosed\n');
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]).toEqual({
      path: '',
      reason: expect.stringMatching(/^is not valid YAML: /),
    });
    expect(error.message).toContain(FILE);
    expect(error.message).toContain('(file) is not valid YAML');
  });

  it('refuses duplicate YAML keys as invalid YAML', () => {
    expect(refusal('targets: []\ntargets: []\n').errors).toEqual([
      { path: '', reason: expect.stringMatching(/^is not valid YAML: /) },
    ]);
  });

  it.each([
    ['an empty file', ''],
    ['a file without targets', 'sources: []\n'],
    [
      'targets that are a map',
      'targets:\n  orders: {url: "http://orders/health", service: orders}\n',
    ],
    ['targets that are a string', 'targets: orders\n'],
    ['a top-level list', '- id: a\n  url: http://a/health\n  service: a\n'],
  ])('refuses %s at /targets', (_name, text) => {
    expect(refusal(text).errors).toEqual([
      { path: '/targets', reason: 'must be a list of poll targets' },
    ]);
  });

  it('requires an id on every entry', () => {
    const text = `
targets:
  - id: orders-api
    url: http://orders/health
    service: orders
  - url: http://billing/health
    service: billing
`;
    expect(refusal(text).errors).toEqual([
      { path: '/targets/1/id', reason: 'is required in a targets file' },
    ]);
  });

  it('refuses a duplicate id, naming the later entry', () => {
    const text = `
targets:
  - {id: orders-api, url: "http://orders-1/health", service: orders}
  - {id: billing, url: "http://billing/health", service: billing}
  - {id: orders-api, url: "http://orders-2/health", service: orders}
`;
    expect(refusal(text).errors).toEqual([
      { path: '/targets/2/id', reason: 'duplicates target "orders-api"' },
    ]);
  });

  it('reports the problems of every bad entry, by their path in the file, all or nothing', () => {
    const text = `
targets:
  - {id: good, url: "http://good/health", service: good}
  - {id: ftp, url: "ftp://files/health", service: files}
  - {id: slow, url: "http://slow/health", service: slow, intervalMs: 2000, timeoutMs: 2000}
  - {id: typo, url: "http://typo/health", service: typo, intervall: 5000}
  - {url: "http://anonymous/health", service: anonymous}
  - {id: nourl, service: nourl}
  - just a string
`;
    const error = refusal(text);
    expect(error.errors).toEqual([
      { path: '/targets/1/url', reason: 'must be http or https' },
      { path: '/targets/2/timeoutMs', reason: expect.stringMatching(/shorter than intervalMs/) },
      { path: '/targets/3/intervall', reason: 'is not a known field' },
      { path: '/targets/4/id', reason: 'is required in a targets file' },
      { path: '/targets/5/url', reason: 'is required' },
      { path: '/targets/6', reason: 'must be an object' },
    ]);
    for (const e of error.errors) expect(error.message).toContain(`${e.path} ${e.reason}`);
  });

  it('names the file in the error message', () => {
    const error = refusal('targets: 3\n', '/srv/conf/poll-targets.yml');
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(
      'targets file /srv/conf/poll-targets.yml: /targets must be a list of poll targets',
    );
  });

  it('refuses a YAML alias bomb as a TargetFileError naming the file', () => {
    let text = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
    let previous = 'a';
    for (let i = 0; i < 8; i++) {
      text += `b${i}: &b${i} [${Array(10).fill(`*${previous}`).join(', ')}]\n`;
      previous = `b${i}`;
    }
    text += 'targets: []\n';
    const error = refusal(text);
    expect(error.errors).toEqual([{ path: '', reason: expect.any(String) }]);
    expect(error.message).toContain(FILE);
  });

  it('reads the example file the docs point to', () => {
    const example = readFileSync(join(__dirname, '../../../../docs/targets.example.yaml'), 'utf8');
    expect(
      parseTargetFile(example).map(
        (t) => `${t.id}:${t.format ?? 'auto'}:${Object.keys(t.mapping ?? {}).length}`,
      ),
    ).toEqual(['nova-api-1:oslo:0', 'orders-api-1:terminus:2', 'billing-7:auto:1']);
  });

  it("maps the example terminus target's real indicators, and seals only its secret header", () => {
    const example = readFileSync(join(__dirname, '../../../../docs/targets.example.yaml'), 'utf8');
    const [, terminus, billing] = parseTargetFile(example);
    const body = readFileSync(
      join(__dirname, '../../../formats/src/fixtures/terminus-real-error.json'),
      'utf8',
    );
    const { reports } = adapt(
      'terminus',
      { body, httpStatus: 503 },
      { service: terminus.service, mapping: terminus.mapping, observedAt: 0 },
    );
    expect(Object.fromEntries((reports[0].checks ?? []).map((c) => [c.name, c.target]))).toEqual({
      memory_heap: undefined,
      'inventory-api': 'http://inventory-api.internal:8080',
      redis: 'redis://10.0.0.5:6379',
    });
    expect(splitHeaders(billing.headers ?? {})).toEqual({
      secret: { Authorization: 'Bearer replace-me' },
      clear: { 'User-Agent': 'faultline' },
    });
  });
});
