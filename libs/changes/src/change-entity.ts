import {
  hostKey,
  instanceKey,
  InvalidTargetError,
  parseTarget,
  serviceKey,
  zoneKey,
} from '@faultline/reports';

/**
 * The entity a change is on, as the key correlation names it by (docs/CONTRACT.md, "Entity
 * keys"). A change on `backend:mysql://db-1:3306/billing?ssl=1` must land on the same key as
 * the checks that reach that database, or it can never be their cause: backend keys are
 * normalised by the very function report targets go through (parseTarget).
 */

/** Thrown for an entity that names nothing Faultline knows; the message is the reason shown. */
export class InvalidEntityError extends Error {}

// Service names may not contain "/" (instance keys are `instance:<service>/<instance>`).
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const SERVICE_NAME = /^[^/\u0000-\u001f]{1,200}$/;
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const NAME = /^[^\u0000-\u001f]{1,200}$/;
const KNOWN_PREFIX = /^(service|instance|backend|host|zone):/;

/**
 * An entity key (`service:`, `instance:<service>/<instance>`, `backend:<target>`, `host:`,
 * `zone:`) or a bare service name (`billing` → `service:billing`), normalised. A target
 * written without `backend:` (`mysql://db-1`) is read as a backend. Throws InvalidEntityError.
 */
export function changeEntityKey(raw: string): string {
  const text = raw.trim();
  const prefix = KNOWN_PREFIX.exec(text)?.[1];
  const rest = prefix === undefined ? text : text.slice(prefix.length + 1);
  switch (prefix) {
    case 'service':
      return serviceKey(serviceName(rest));
    case 'instance': {
      const slash = rest.indexOf('/');
      if (slash <= 0 || !NAME.test(rest.slice(slash + 1)))
        throw new InvalidEntityError('must be instance:<service>/<instance>');
      return instanceKey(serviceName(rest.slice(0, slash)), rest.slice(slash + 1));
    }
    case 'backend':
      return backendKey(rest);
    case 'host':
      return hostKey(name(rest, 'host'));
    case 'zone':
      return zoneKey(name(rest, 'zone'));
    default:
      if (text.includes('://')) return backendKey(text);
      if (text.includes(':'))
        throw new InvalidEntityError(
          'must be an entity key (service:, instance:, backend:, host:, zone:) or a service name',
        );
      return serviceKey(serviceName(text));
  }
}

/**
 * The service whose owners may post a change on this entity (a token bound to services: see
 * the README, "Tokens, scopes and service binding"), or null when the entity belongs to no one
 * service (a backend, host or zone: only an unbound token may post changes on those).
 */
export function owningService(entityKey: string): string | null {
  if (entityKey.startsWith('service:')) return entityKey.slice('service:'.length);
  if (entityKey.startsWith('instance:')) {
    const rest = entityKey.slice('instance:'.length);
    return rest.slice(0, rest.indexOf('/'));
  }
  return null;
}

function serviceName(text: string): string {
  if (!SERVICE_NAME.test(text))
    throw new InvalidEntityError(
      'names no service: a service name is 1 to 200 characters without "/" or control characters',
    );
  return text;
}

function name(text: string, what: string): string {
  if (!NAME.test(text))
    throw new InvalidEntityError(
      `names no ${what}: 1 to 200 characters without control characters`,
    );
  return text;
}

function backendKey(target: string): string {
  try {
    return parseTarget(target).key;
  } catch (e) {
    if (e instanceof InvalidTargetError) throw new InvalidEntityError(e.message);
    throw e;
  }
}
