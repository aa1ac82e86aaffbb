import { signBody, verifySignature } from './request-signature';

const NOW = Date.UTC(2026, 10, 25, 10);
const BODY = '{"status":"pass"}';

describe('request signatures', () => {
  it('accepts what the source signed, within five minutes either way', () => {
    expect(verifySignature('s3cret', signBody('s3cret', BODY, NOW), BODY, NOW)).toEqual({
      ok: true,
    });
    expect(verifySignature('s3cret', signBody('s3cret', BODY, NOW - 299_000), BODY, NOW)).toEqual({
      ok: true,
    });
    expect(verifySignature('s3cret', signBody('s3cret', BODY, NOW + 299_000), BODY, NOW)).toEqual({
      ok: true,
    });
  });

  it('refuses a replay older than five minutes, a changed body, another secret, a missing or malformed header', () => {
    expect(
      verifySignature('s3cret', signBody('s3cret', BODY, NOW - 301_000), BODY, NOW),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/5 minutes/) });
    expect(verifySignature('s3cret', signBody('s3cret', BODY, NOW), `${BODY} `, NOW)).toMatchObject(
      { ok: false, reason: 'does not match the body' },
    );
    expect(verifySignature('s3cret', signBody('other', BODY, NOW), BODY, NOW)).toMatchObject({
      ok: false,
      reason: 'does not match the body',
    });
    expect(verifySignature('s3cret', undefined, BODY, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/missing/),
    });
    expect(verifySignature('s3cret', 'sha256=abc', BODY, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/must look like/),
    });
  });

  it('cannot be refreshed: a new timestamp on an old signature no longer matches', () => {
    const old = signBody('s3cret', BODY, NOW - 600_000);
    const forged = old.replace(/t=\d+/, `t=${Math.floor(NOW / 1000)}`);
    expect(verifySignature('s3cret', forged, BODY, NOW)).toMatchObject({
      ok: false,
      reason: 'does not match the body',
    });
  });
});
