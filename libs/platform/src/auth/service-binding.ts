/**
 * A token's service binding: the services it may report for, each a name (`nova-api`) or a
 * prefix ending in `*` (`billing-*` covers `billing-api` and `billing-`…). null: unbound.
 */
export type ServiceBinding = readonly string[] | null;

/** A service name (no "/", no control character) optionally ending in one `*`; at most 200 long. */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
export const SERVICE_PATTERN = /^[^/*\u0000-\u001f]{1,199}\*?$|^\*$/;

/** Whether a token bound to `binding` may report for `service`. */
export function bindingAllows(binding: ServiceBinding, service: string): boolean {
  if (binding === null) return true;
  return binding.some((p) =>
    p.endsWith('*') ? service.startsWith(p.slice(0, -1)) : service === p,
  );
}

/** The binding in words, for an error: `billing-*, ops`. */
export const describeBinding = (binding: readonly string[]): string => binding.join(', ');
