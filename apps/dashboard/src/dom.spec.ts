import { describe, expect, it } from '@jest/globals';

import { counted } from './dom';

describe('counted', () => {
  it('writes one of a thing in the singular, any other count in the plural', () => {
    expect(counted(1, 'service')).toBe('1 service');
    expect(counted(1, 'instance')).toBe('1 instance');
    expect(counted(0, 'instance')).toBe('0 instances');
    expect(counted(12, 'open incident')).toBe('12 open incidents');
    expect(counted(2, 'dependency', 'dependencies')).toBe('2 dependencies');
  });
});
