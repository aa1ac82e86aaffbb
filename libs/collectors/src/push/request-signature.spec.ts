import {
  canonicalRequest,
  signBody,
  type SignedRequest,
  signRequest,
  verifySignature,
} from './request-signature';

const NOW = Date.UTC(2026, 10, 25, 10);
const REQ: SignedRequest = {
  method: 'POST',
  url: '/api/v1/ingest/oslo?source=src-1&service=nova%20api&instance=nova-api-3',
  headers: {
    'content-type': 'text/plain',
    'x-faultline-host': ' compute-12 ',
    'x-faultline-labels': 'zone=az1',
    authorization: 'Bearer flt_x',
  },
  body: 'OK',
};
const SECRET = 'a-long-signing-secret';
const at = (ms: number) => signRequest(SECRET, REQ, ms);

describe('request signatures (v2: the canonical request)', () => {
  it('writes the canonical string exactly as documented', () => {
    expect(canonicalRequest(1_700_000_000, REQ)).toBe(
      [
        'v2',
        '1700000000',
        'POST',
        '/api/v1/ingest/oslo',
        'instance=nova-api-3&service=nova%20api&source=src-1',
        'x-faultline-host:compute-12',
        'x-faultline-labels:zone=az1',
        '',
        'OK',
      ].join('\n'),
    );
    // Query order and encoding do not matter; + is a space; the signature header is not covered.
    expect(
      canonicalRequest(1, {
        ...REQ,
        url: '/p?service=nova+api&instance=nova-api-3&source=src-1',
        headers: { ...REQ.headers, 'x-faultline-signature': 't=1,v2=00' },
      }),
    ).toBe(canonicalRequest(1, { ...REQ, url: '/p' + REQ.url.slice(REQ.url.indexOf('?')) }));
  });

  it('accepts what the source signed, up to 5 minutes old and 60 s ahead', () => {
    expect(verifySignature(SECRET, at(NOW), REQ, NOW)).toMatchObject({ ok: true });
    expect(verifySignature(SECRET, at(NOW - 299_000), REQ, NOW)).toMatchObject({ ok: true });
    expect(verifySignature(SECRET, at(NOW + 59_000), REQ, NOW)).toMatchObject({ ok: true });
  });

  it('refuses a stale or early signature', () => {
    expect(verifySignature(SECRET, at(NOW - 301_000), REQ, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/5 minutes old/),
    });
    expect(verifySignature(SECRET, at(NOW + 61_000), REQ, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/60 seconds ahead/),
    });
  });

  it.each<[string, Partial<SignedRequest>]>([
    ['another body', { body: 'OK ' }],
    ['another method', { method: 'PUT' }],
    ['another path', { url: REQ.url.replace('/oslo', '/auto') }],
    ['another service in the query', { url: REQ.url.replace('nova%20api', 'billing') }],
    ['an added query parameter', { url: `${REQ.url}&host=h` }],
    ['another identity header', { headers: { ...REQ.headers, 'x-faultline-host': 'other' } }],
    ['an added identity header', { headers: { ...REQ.headers, 'x-faultline-service': 'billing' } }],
    ['a dropped identity header', { headers: { 'x-faultline-host': 'compute-12' } }],
  ])('refuses the signature on %s', (_what, change) => {
    expect(verifySignature(SECRET, at(NOW), { ...REQ, ...change }, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not match the request/),
    });
  });

  it('refuses another secret, a missing or malformed header, and the body-only v1', () => {
    expect(verifySignature(SECRET, signRequest('other', REQ, NOW), REQ, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not match/),
    });
    expect(verifySignature(SECRET, undefined, REQ, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/missing/),
    });
    expect(verifySignature(SECRET, 'sha256=abc', REQ, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/must look like/),
    });
    expect(verifySignature(SECRET, signBody(SECRET, REQ.body, NOW), REQ, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/v1 signs only the body/),
    });
  });

  it('cannot be refreshed: a new timestamp on an old signature no longer matches', () => {
    const forged = at(NOW - 600_000).replace(/t=\d+/, `t=${Math.floor(NOW / 1000)}`);
    expect(verifySignature(SECRET, forged, REQ, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not match/),
    });
  });
});
