import {
  bindingAllows,
  describeBinding,
  ForbiddenError,
  type ServiceBinding,
} from '@faultline/platform';
import type { FieldError } from '@faultline/reports';

/** Who is reporting: the token's service binding, and the push source whose signature checked out. */
export interface Reporter {
  binding: ServiceBinding;
  /** The id of the signing source that signed this request; null when it is not signed. */
  signedBy: string | null;
}

/** A service a request reports for, with the place that names it (`/0/service`). */
export interface ClaimedService {
  path: string;
  service: string;
}

/**
 * Refuses (403, naming each service by its place, nothing stored) a request that reports for a
 * service its token is not bound to, or for a service a signing push source reserves (its
 * `service`) without that source's valid signature. `reserved`: service → the sources reserving it.
 * Pure; the caller checks before anything of the request is accepted.
 */
export function checkClaims(
  claims: readonly ClaimedService[],
  reporter: Reporter,
  reserved: ReadonlyMap<string, readonly string[]>,
): void {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const { path, service } of claims) {
    if (seen.has(service) || errors.length >= 20) continue;
    if (!bindingAllows(reporter.binding, service)) {
      seen.add(service);
      errors.push({
        path,
        reason: `"${service}" is not a service this token may report for (it is bound to ${describeBinding(reporter.binding ?? [])})`,
      });
      continue;
    }
    const owners = reserved.get(service);
    if (owners && !(reporter.signedBy !== null && owners.includes(reporter.signedBy))) {
      seen.add(service);
      errors.push({
        path,
        reason: `"${service}" is reserved by the signing push source ${owners.map((o) => `"${o}"`).join(', ')}: only its signed pushes (?source=${owners[0]}) may report for it`,
      });
    }
  }
  if (errors.length > 0)
    throw new ForbiddenError(
      `this request may not report for ${errors.length === 1 ? 'this service' : 'these services'}`,
      errors,
    );
}

/** The services a native body names (one report or an array), where it names them as strings. */
export function claimedServices(body: unknown): ClaimedService[] {
  const items = Array.isArray(body) ? body : [body];
  const claims: ClaimedService[] = [];
  items.forEach((item, i) => {
    const service = (item as { service?: unknown } | null)?.service;
    if (typeof service === 'string')
      claims.push({ path: Array.isArray(body) ? `/${i}/service` : '/service', service });
  });
  return claims;
}
