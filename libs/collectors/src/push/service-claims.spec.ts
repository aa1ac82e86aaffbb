import { ForbiddenError } from '@faultline/platform';

import { checkClaims, claimedServices } from './service-claims';

const reserved = new Map([['nova-api', ['nova-src']]]);
const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ForbiddenError) return e.errors;
    throw e;
  }
  return null;
};

describe('service claims', () => {
  it('refuses a service outside the token binding, naming its place', () => {
    const claims = claimedServices([{ service: 'billing-api' }, { service: 'nova-api' }]);
    expect(
      refusal(() => checkClaims(claims, { binding: ['billing-*'], signedBy: null }, new Map())),
    ).toEqual([{ path: '/1/service', reason: expect.stringMatching(/"nova-api".*billing-\*/) }]);
  });

  it('reserves a signing source service for its signed pushes', () => {
    const claims = claimedServices({ service: 'nova-api' });
    expect(refusal(() => checkClaims(claims, { binding: null, signedBy: null }, reserved))).toEqual(
      [{ path: '/service', reason: expect.stringMatching(/reserved by .*"nova-src"/) }],
    );
    expect(
      refusal(() => checkClaims(claims, { binding: null, signedBy: 'other-src' }, reserved)),
    ).toHaveLength(1);
    expect(
      refusal(() => checkClaims(claims, { binding: null, signedBy: 'nova-src' }, reserved)),
    ).toBeNull();
  });
});
