/**
 * A DNS `lookup` for sockets that refuses to hand out blocked addresses.
 *
 * Contract: installed as the `lookup` of every agent the client owns, so the address policy is
 * applied to the address the socket is about to connect to, at connect time. A pre-check followed
 * by a second resolution would let DNS rebinding swap in 169.254.169.254 between the two; here the
 * addresses checked are the addresses used. If ANY resolved address is blocked the lookup fails
 * with FetchFailure('blocked-address') and no connection is attempted: a name that resolves to the
 * metadata service next to a public address is hostile, not dual-homed.
 *
 * Node skips `lookup` for IP literals, so the client checks literal hosts itself before connecting.
 */
import { lookup as systemLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

import { isBlockedAddress } from './address-policy';
import { FetchFailure } from './fetch-failure';

/** The `dns.lookup` overload with `all: true`; inject another to control resolution in tests. */
export type HostnameResolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export const systemResolver: HostnameResolver = systemLookup;

export function createGuardedLookup(
  resolve: HostnameResolver,
  allowLinkLocal: boolean,
): LookupFunction {
  return (hostname, options, callback) => {
    // Always resolve every address, so none escapes the check, then answer in the shape asked
    // for: Node asks for `all` when it races address families (autoSelectFamily).
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '');
        return;
      }
      if (addresses.length === 0) {
        callback(noAddressError(hostname), '');
        return;
      }
      const blocked = addresses.find(({ address }) => isBlockedAddress(address, allowLinkLocal));
      if (blocked !== undefined) {
        const message = `${hostname} resolves to ${blocked.address}, which is a blocked address`;
        callback(new FetchFailure('blocked-address', message), '');
        return;
      }
      if (options.all === true) {
        callback(null, addresses);
        return;
      }
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function noAddressError(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
  error.code = 'ENOTFOUND';
  error.syscall = 'getaddrinfo';
  return error;
}

/**
 * The addresses of `host` (a name or an IP literal) when the address policy permits every one of
 * them; rejects with FetchFailure('blocked-address') otherwise, and with 'dns' when the name does
 * not resolve. For connections the HTTP client does not make (SMTP): connect to an address
 * returned here, never to the name again, so the address checked is the address used.
 */
export function resolvePermitted(
  host: string,
  allowLinkLocal: boolean,
  resolve: HostnameResolver = systemResolver,
): Promise<LookupAddress[]> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = isIP(bare);
  if (family !== 0) {
    if (isBlockedAddress(bare, allowLinkLocal))
      return Promise.reject(new FetchFailure('blocked-address', `${bare} is a blocked address`));
    return Promise.resolve([{ address: bare, family }]);
  }
  const lookup = createGuardedLookup(resolve, allowLinkLocal);
  return new Promise((done, fail) => {
    lookup(bare, { all: true }, (error, addresses) => {
      if (error) {
        fail(
          error instanceof FetchFailure
            ? error
            : new FetchFailure(
                'dns',
                `${bare} could not be resolved (${error.code ?? error.message})`,
              ),
        );
        return;
      }
      done(addresses as LookupAddress[]);
    });
  });
}
