import { isSecretHeader, splitHeaders } from './secret-headers';

describe('isSecretHeader', () => {
  it.each([
    'Authorization',
    'Proxy-Authorization',
    'Cookie',
    'X-Api-Key',
    'X-Auth-Token',
    'X-Vault-Token',
    'Private-Token',
    'X-Client-Secret',
    'X-Password',
    'X-Session-Id',
    'api-key',
    'X-Amz-Security-Token',
  ])('seals %s whatever its value', (name) => {
    expect(isSecretHeader(name, 'x')).toBe(true);
  });

  it.each(['Accept', 'User-Agent', 'X-Request-Source', 'Accept-Language', 'X-Forwarded-Proto'])(
    'keeps %s in clear',
    (name) => {
      expect(isSecretHeader(name, 'application/json')).toBe(false);
    },
  );

  it('seals a header of any name whose value looks like a credential', () => {
    expect(isSecretHeader('X-Upstream', 'Bearer abc')).toBe(true);
    expect(isSecretHeader('X-Upstream', 'basic dXNlcjpwdw==')).toBe(true);
    expect(isSecretHeader('X-Upstream', 'bearer-of-news')).toBe(false);
  });
});

describe('splitHeaders', () => {
  it('puts secrets and the rest apart, keeping their names as given', () => {
    expect(
      splitHeaders({ Accept: 'application/json', Authorization: 'Bearer t', 'X-Api-Key': 'k' }),
    ).toEqual({
      secret: { Authorization: 'Bearer t', 'X-Api-Key': 'k' },
      clear: { Accept: 'application/json' },
    });
    expect(splitHeaders({})).toEqual({ secret: {}, clear: {} });
  });
});
