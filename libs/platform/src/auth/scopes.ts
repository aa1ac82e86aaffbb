import { SetMetadata } from '@nestjs/common';

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** admin can do everything; the other scopes grant only themselves. */
export function grants(held: readonly Scope[], needed: Scope): boolean {
  return held.includes('admin') || held.includes(needed);
}

export const SCOPE_KEY = 'faultline:scope';
export const PUBLIC_KEY = 'faultline:public';

/** The scope a route needs. A route that declares none needs admin: secure by default. */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE_KEY, scope);

/** Probes and the API document only: reachable without a token. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
