import { ReportValidator } from '@faultline/reports';

import {
  detailSummary,
  nameText,
  outputText,
  safeLabels,
  serviceText,
  truncate,
  withoutCredentials,
} from './safe-text';

describe('safe text', () => {
  it.each([
    ['amqp://guest:guest@rabbit-1:5672/', 'amqp://rabbit-1:5672/'],
    ['mongodb://app:p@ss@mongo-1/app', 'mongodb://mongo-1/app'],
    ['see http://example.com/a@b for help', 'see http://example.com/a@b for help'],
    ['Server=sql-1;User Id=sa;Password=hunter2;', 'Server=sql-1;User Id=sa;Password=***;'],
    [
      'jdbc:mysql://db/nova?user=nova&password=s3cr3t&ssl=1',
      'jdbc:mysql://db/nova?user=nova&password=***&ssl=1',
    ],
    ['token: "abc def"', 'token: ***'],
  ])('removes credentials from %s', (raw, safe) => {
    expect(withoutCredentials(raw)).toBe(safe);
  });

  it('truncates without splitting a surrogate pair', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('keeps outputs, names and labels within what the intake accepts', () => {
    const output = outputText(`${'x'.repeat(10_000)}\u0000`) as string;
    expect(output).toHaveLength(8192);
    expect(outputText('   ')).toBeUndefined();
    const name = nameText('line1\nline2\u0000', 'fallback');
    expect(name).toBe('line1 line2');
    expect(nameText('\n\t', 'fallback')).toBe('fallback');
    expect(serviceText('team/app', 'service')).toBe('team-app');
    const labels = safeLabels(
      Array.from({ length: 60 }, (_, i): [string, string] => [`k${i}`, 'v'.repeat(600)]),
    ) as Record<string, string>;
    expect(Object.keys(labels)).toHaveLength(50);
    const report = {
      service: serviceText('team/app', 's'),
      instance: name,
      labels,
      checks: [{ name: 'c', status: 'fail' as const, output }],
    };
    expect(new ReportValidator().validate(report, { now: 0, retentionMs: 1 })).toMatchObject({
      ok: true,
    });
  });

  it('keeps a `__proto__` label an ordinary label', () => {
    const labels = safeLabels([
      ['__proto__', 'x'],
      ['zone', 'az1'],
    ]) as Record<string, string>;
    expect(Object.keys(labels)).toEqual(['__proto__', 'zone']);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });

  it('summarises scalar details, skipping secret-sounding keys and nested objects', () => {
    expect(
      detailSummary(
        {
          database: 'H2',
          password: 'x',
          apiKey: 'y',
          nested: { a: 1 },
          free: 10,
          ok: true,
          more: 1,
        },
        [],
        3,
      ),
    ).toBe('database=H2, free=10, ok=true');
    expect(detailSummary({})).toBeUndefined();
  });
});
