import {
  byCodeUnits,
  counted,
  formatDuration,
  httpUrl,
  oneLine,
  percent,
  truncate,
} from './message-text';

describe('message text', () => {
  it('makes one line of text with breaks and control characters', () => {
    expect(oneLine('  a\nb\r\n\tc\u2028d  ')).toBe('a b c d');
  });

  it('truncates with an ellipsis, never through a surrogate pair', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('counts with the right noun', () => {
    expect(counted(1, 'instance')).toBe('1 instance');
    expect(counted(0, 'service')).toBe('0 services');
    expect(counted(500, 'instance')).toBe('500 instances');
  });

  it('shows confidence as a whole percentage, clamped', () => {
    expect(percent(0.934)).toBe('93 %');
    expect(percent(1.2)).toBe('100 %');
    expect(percent(-1)).toBe('0 %');
    expect(percent(Number.NaN)).toBe('? %');
  });

  it.each([
    [0, '0 s'],
    [4_000, '4 s'],
    [750_000, '12 min 30 s'],
    [720_000, '12 min'],
    [3_900_000, '1 h 5 min'],
    [3_600_000 + 59_000, '1 h'],
    [2 * 86_400_000 + 3 * 3_600_000 + 60_000, '2 d 3 h'],
    [-5_000, '0 s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('accepts only absolute http(s) URLs as links', () => {
    expect(httpUrl('https://faultline.example.com/incidents/1')).toBe(
      'https://faultline.example.com/incidents/1',
    );
    expect(httpUrl('javascript:alert(1)')).toBeNull();
    expect(httpUrl('/incidents/1')).toBeNull();
    expect(httpUrl('data:text/html,<script>')).toBeNull();
  });

  it('sorts in code-unit order, independent of locale', () => {
    expect(['b', 'B', 'a', 'a-2', 'a-10'].sort(byCodeUnits)).toEqual([
      'B',
      'a',
      'a-10',
      'a-2',
      'b',
    ]);
  });
});
