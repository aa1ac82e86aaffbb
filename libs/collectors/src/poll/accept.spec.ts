import { FORMAT_NAMES } from '@faultline/formats';

import { ACCEPT_BY_FORMAT, pollHeaders } from './accept';

describe('pollHeaders', () => {
  it.each([
    ['oslo', 'application/json'],
    ['health-json', 'application/health+json, application/json;q=0.9'],
    ['actuator', 'application/vnd.spring-boot.actuator.v3+json, application/json;q=0.9'],
    ['terminus', 'application/json'],
    ['aspnet', 'application/json'],
    ['auto', 'application/health+json, application/json;q=0.9, text/plain;q=0.5'],
  ] as const)('asks %s for %s', (format, accept) => {
    expect(pollHeaders(format, {})).toEqual({ Accept: accept });
  });

  it('has an Accept for every format', () => {
    for (const format of FORMAT_NAMES) expect(ACCEPT_BY_FORMAT[format]).toMatch(/json/);
  });

  it("keeps the target's own headers, and its own Accept in any spelling wins", () => {
    expect(pollHeaders('oslo', { Authorization: 'Bearer t' })).toEqual({
      Accept: 'application/json',
      Authorization: 'Bearer t',
    });
    expect(pollHeaders('oslo', { accept: 'text/plain' })).toEqual({ accept: 'text/plain' });
    expect(pollHeaders('auto', { ACCEPT: 'application/xml' })).toEqual({
      ACCEPT: 'application/xml',
    });
  });
});
