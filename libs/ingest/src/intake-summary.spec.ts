import { IntakeSummary, intakeSummaryLine } from './intake-summary';

describe('IntakeSummary', () => {
  it('says per source what was accepted, largest first, with thousands separated', () => {
    const counts = new Map([
      ['poll/try-oslo', 34],
      ['reports api', 1000],
      ['ingest/oslo', 200],
    ]);
    expect(intakeSummaryLine(counts, 'in the last minute')).toBe(
      'accepted in the last minute: 1,234 reports (reports api 1,000; ingest/oslo 200; poll/try-oslo 34)',
    );
  });

  it('names the largest sources and counts the rest together', () => {
    const counts = new Map(Array.from({ length: 13 }, (_, i) => [`poll/t${i}`, i + 1] as const));
    const line = intakeSummaryLine(counts, 'in the last minute', 3);
    expect(line).toBe(
      'accepted in the last minute: 91 reports (poll/t12 13; poll/t11 12; poll/t10 11; 10 more sources 55)',
    );
  });

  it('writes one line per period, and nothing for a period with nothing accepted', () => {
    const lines: string[] = [];
    let now = 0;
    const summary = new IntakeSummary(
      (l) => lines.push(l),
      60_000,
      () => now,
    );
    summary.add('reports api', 1);
    summary.add('source/oslo-dc1', 3);
    summary.add('reports api', 0);
    now = 60_000;
    summary.flush('in the last minute');
    summary.flush('in the last minute');
    now = 83_000;
    summary.add('reports api', 2);
    summary.stop();
    expect(lines).toEqual([
      'accepted in the last minute: 4 reports (source/oslo-dc1 3; reports api 1)',
      'accepted in the last 23 s: 2 reports (reports api 2)',
    ]);
  });
});
