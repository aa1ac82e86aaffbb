import { entityKind, InvalidTargetError, parseTarget, sanitiseId } from './entity-key';
import { compareStatus, worstStatus } from './status';

describe('parseTarget', () => {
  it.each([
    ['amqp://user:pw@rabbit-1/vhost', 'backend:amqp://rabbit-1:5672'],
    ['amqp://rabbit-1:5672', 'backend:amqp://rabbit-1:5672'],
    ['AMQP://Rabbit-1.:5672/', 'backend:amqp://rabbit-1:5672'],
    ['mysql://db-1/nova?password=x', 'backend:mysql://db-1:3306'],
    ['postgresql://u@pg:5433/app', 'backend:postgresql://pg:5433'],
    ['jdbc:postgresql://pg/app', 'backend:postgresql://pg:5432'],
    ['redis://cache', 'backend:redis://cache:6379'],
    ['https://api.example.com/health', 'backend:https://api.example.com:443'],
    ['http://[::1]:8080/x', 'backend:http://[::1]:8080'],
    ['db-1:3306', 'backend:tcp://db-1:3306'],
    ['custom://thing', 'backend:custom://thing'],
  ])('%s → %s', (raw, key) => {
    expect(parseTarget(raw).key).toBe(key);
  });

  it('keeps the path but never credentials or query in the displayable target', () => {
    expect(parseTarget('amqp://guest:guest@rabbit/nova?heartbeat=5').display).toBe(
      'amqp://rabbit:5672/nova',
    );
  });

  it.each(['not a uri', 'amqp://', 'http://:80'])('refuses %j', (raw) => {
    expect(() => parseTarget(raw)).toThrow(InvalidTargetError);
  });
});

describe('status ordering', () => {
  it('takes the worst, and an empty set is healthy', () => {
    expect(worstStatus(['pass', 'fail', 'warn'])).toBe('fail');
    expect(worstStatus(['pass', 'warn'])).toBe('warn');
    expect(worstStatus([])).toBe('pass');
    expect(compareStatus('warn', 'pass')).toBeGreaterThan(0);
  });

  it('knows entity kinds', () => {
    expect(entityKind('backend:amqp://x:1')).toBe('backend');
    expect(entityKind('instance:a/b')).toBe('instance');
    expect(entityKind('nope')).toBeNull();
  });
});

describe('sanitiseId', () => {
  it('trims dots at both ends, keeps them inside, and names the empty id', () => {
    expect(sanitiseId('..Redis.Main..')).toBe('redis.main');
    expect(sanitiseId('...')).toBe('unnamed');
    expect(sanitiseId('a b/c')).toBe('a-b-c');
  });

  it('reads a long run of dots inside an id in one pass (a trailing-dots regex backtracks on it)', () => {
    expect(sanitiseId(`x${'.'.repeat(200_000)}y`)).toBe(`x${'.'.repeat(99)}`);
  });
});
