import { ConfigError, loadConfig } from './config.schema';

describe('loadConfig', () => {
  it('has defaults that work against local Postgres and Redis', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/faultline');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.RETENTION_DAYS).toBe(3);
  });

  it('names every bad setting and the reason', () => {
    expect(() =>
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', FAULTLINE_ADMIN_TOKEN: 'short' }),
    ).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', FAULTLINE_ADMIN_TOKEN: 'short' });
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/PORT/);
      expect(msg).toMatch(/DATABASE_URL/);
      expect(msg).toMatch(/FAULTLINE_ADMIN_TOKEN: must be at least 16/);
    }
  });

  it('coerces numbers and booleans', () => {
    const c = loadConfig({ PORT: '8080', MIGRATE_ON_START: 'false' });
    expect(c.PORT).toBe(8080);
    expect(c.MIGRATE_ON_START).toBe(false);
  });
});
