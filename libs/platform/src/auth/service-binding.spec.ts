import { bindingAllows, SERVICE_PATTERN } from './service-binding';

describe('service binding', () => {
  it('allows names and prefixes, nothing else', () => {
    const binding = ['billing-*', 'ops'];
    expect(bindingAllows(binding, 'billing-api')).toBe(true);
    expect(bindingAllows(binding, 'ops')).toBe(true);
    expect(bindingAllows(binding, 'ops-2')).toBe(false);
    expect(bindingAllows(binding, 'nova-api')).toBe(false);
    expect(bindingAllows(binding, 'billing')).toBe(false);
    expect(bindingAllows(null, 'anything')).toBe(true);
  });

  it('takes service names with at most a trailing *', () => {
    for (const ok of ['billing-*', 'nova-api', '*']) expect(SERVICE_PATTERN.test(ok)).toBe(true);
    for (const bad of ['a/b', 'bil*ling', '', 'a**', 'x\n'])
      expect(SERVICE_PATTERN.test(bad)).toBe(false);
  });
});
