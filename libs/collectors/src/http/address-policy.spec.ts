import { isBlockedAddress } from './address-policy';

/** What Node's URL parser hands the client as host for a literal, brackets stripped. */
function literalHost(url: string): string {
  return new URL(url).hostname.replace(/^\[|\]$/g, '');
}

describe('isBlockedAddress', () => {
  it.each([
    '169.254.169.254',
    '169.254.0.1',
    '169.254.255.255',
    'fe80::1',
    'fe80::1%eth0',
    'febf:ffff::1',
    'fd00:ec2::254',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '[fe80::1]',
    '100.100.100.200',
    '::ffff:100.100.100.200',
    '192.0.0.192',
    '168.63.129.16',
    'fd20:ce::254',
    'FD20:00CE:0:0:0:0:0:254',
    'fd00:c1::a9fe:a9fe',
    'fd00:c1::169.254.169.254',
  ])('blocks the link-local / metadata address %s', (ip) => {
    expect(isBlockedAddress(ip, false)).toBe(true);
  });

  it.each([
    '169.254.169.254',
    'fe80::1',
    'fd00:ec2::254',
    '::ffff:169.254.169.254',
    '100.100.100.200',
    '192.0.0.192',
    '168.63.129.16',
    'fd20:ce::254',
    'fd00:c1::a9fe:a9fe',
  ])('lets %s through when link-local is allowed', (ip) => {
    expect(isBlockedAddress(ip, true)).toBe(false);
  });

  it.each(['0.0.0.0', '0.1.2.3', '::', '::ffff:0.0.0.0'])(
    'always blocks the unspecified address %s, link-local allowed or not',
    (ip) => {
      expect(isBlockedAddress(ip, false)).toBe(true);
      expect(isBlockedAddress(ip, true)).toBe(true);
    },
  );

  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.0.1',
    '192.168.1.1',
    '::1',
    '::ffff:127.0.0.1',
    'fd00:ec2::253',
    'fd20:ce::253',
    '100.100.100.199',
    '100.64.0.1',
    '192.0.0.193',
    '168.63.129.17',
    'fd12:3456::1',
    'fec0::1',
    '169.253.255.255',
    '169.255.0.0',
    '93.184.216.34',
    '2606:2800:220:1:248:1893:25c8:1946',
  ])('allows the loopback, private or public address %s', (ip) => {
    expect(isBlockedAddress(ip, false)).toBe(false);
  });

  it.each(['', 'localhost', '2852039166', '0251.0376.0251.0376', '1.2.3', '::ffff::1'])(
    'fails closed on %p, which is not an IP address in canonical form',
    (text) => {
      expect(isBlockedAddress(text, true)).toBe(true);
    },
  );

  describe('alternative spellings, as the WHATWG URL parser normalises them', () => {
    it.each([
      ['http://2852039166/', '169.254.169.254'],
      ['http://0251.0376.0251.0376/', '169.254.169.254'],
      ['http://0xa9.0xfe.0xa9.0xfe/', '169.254.169.254'],
      ['http://0xa9fea9fe/', '169.254.169.254'],
      ['http://169.254.43518/', '169.254.169.254'],
      ['http://169.254.169.254./', '169.254.169.254'],
      ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'],
      ['http://[0:0:0:0:0:ffff:a9fe:a9fe]/', '::ffff:a9fe:a9fe'],
      ['http://[FD00:EC2:0::254]/', 'fd00:ec2::254'],
    ])('%s becomes %s, which is blocked', (url, normalised) => {
      expect(literalHost(url)).toBe(normalised);
      expect(isBlockedAddress(literalHost(url), false)).toBe(true);
    });
  });
});
