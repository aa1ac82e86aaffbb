import { effectiveMapping } from './effective-mapping';

describe('effectiveMapping', () => {
  it('is the fleet mapping where the source maps nothing', () => {
    expect(effectiveMapping({ redis: 'redis://10.0.0.5:6379' }, undefined)).toEqual({
      redis: 'redis://10.0.0.5:6379',
    });
    expect(effectiveMapping({}, {})).toEqual({});
  });

  it("lets the source's own mapping win, name by name", () => {
    expect(
      effectiveMapping(
        { redis: 'redis://10.0.0.5:6379', db: 'postgres://db-1:5432' },
        { redis: 'redis://cache-eu:6379' },
      ),
    ).toEqual({ redis: 'redis://cache-eu:6379', db: 'postgres://db-1:5432' });
  });

  it('drops a fleet key more specific than one the source maps, so the source still wins', () => {
    expect(
      effectiveMapping(
        {
          'mongo:responseTime': 'mongodb://fleet:27017',
          'db/primary': 'postgres://fleet:5432',
          mongodb: 'mongodb://other:27017',
        },
        { mongo: 'mongodb://own:27017', db: 'postgres://own:5432' },
      ),
    ).toEqual({
      mongo: 'mongodb://own:27017',
      db: 'postgres://own:5432',
      mongodb: 'mongodb://other:27017',
    });
  });

  it('does not share objects with its inputs', () => {
    const fleet = { a: 'a:1' };
    const merged = effectiveMapping(fleet, undefined);
    merged.b = 'b:1';
    expect(fleet).toEqual({ a: 'a:1' });
  });
});
