import {
  ForbiddenException,
  type INestApplication,
  RequestMethod,
  UnauthorizedException,
} from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { TooManyRequestsError } from '../errors/domain-errors';
import { RateLimiter } from './rate-limiter';
import { grants, PUBLIC_KEY, type Scope, SCOPE_KEY } from './scopes';
import { type Principal, sha256, TokenService } from './token.service';

export type AuthenticatedRequest = FastifyRequest & {
  principal?: Principal;
  /** Set once the request passed the rate limits, the token and the scope check (or needs none). */
  authChecked?: true;
};

/** What a route needs: nothing (a probe), or a token granting this scope. */
export type RouteAccess = Scope | 'public';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The Fastify route config key under which a route that Nest does not serve (a plain Fastify
 * route) declares what it needs, as `routeAccessConfig('ingest')`; Nest's routes declare it
 * with @RequireScope or @Public.
 */
export const ROUTE_ACCESS_CONFIG_KEY = 'faultline:access';

/** The route config of a plain Fastify route that needs `access` (see ROUTE_ACCESS_CONFIG_KEY). */
export const routeAccessConfig = (access: RouteAccess): Record<string, RouteAccess> => ({
  [ROUTE_ACCESS_CONFIG_KEY]: access,
});

/**
 * Rate limits, then the bearer token, then the scope, for one request to a route that needs
 * `needed`. The limits come first, before the token is looked up: a flood is counted in memory
 * (no Redis round trip per request, see RateLimiter) and refused with 429 and Retry-After once
 * over its limit. Throws the refusal (429, 401, 403); on success the request carries its
 * principal.
 */
export async function authenticate(
  request: AuthenticatedRequest,
  reply: FastifyReply,
  needed: Scope,
  tokens: TokenService,
  limiter: RateLimiter,
): Promise<void> {
  const match = BEARER.exec(request.headers.authorization ?? '');
  const hash = match ? sha256(match[1]) : null;
  const over = limiter.hit(request.ip, hash, needed);
  if (over) {
    const retryAfterS = Math.max(1, Math.ceil(over.retryAfterMs / 1000));
    void reply.header('retry-after', retryAfterS);
    const windowS = limiter.windowMs / 1000;
    throw over.limit === 'address'
      ? new TooManyRequestsError(
          `too many requests from this address (at most ${over.allowed} per ${windowS} s)`,
          retryAfterS,
        )
      : new TooManyRequestsError(
          `this token made too many ${needed} requests (at most ${over.allowed} per ${windowS} s)`,
          retryAfterS,
          [
            {
              path: 'header:authorization',
              reason: `is over its ${needed} rate limit (${over.allowed} requests per ${windowS} s); retry after ${retryAfterS} s`,
            },
          ],
        );
  }
  if (!match || !hash)
    throw new UnauthorizedException({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'missing bearer token (Authorization: Bearer <token>)',
    });
  const principal = await tokens.verifyHash(hash);
  if (!principal)
    throw new UnauthorizedException({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'unknown or revoked token',
    });
  if (!grants(principal.scopes, needed))
    throw new ForbiddenException({
      statusCode: 403,
      error: 'Forbidden',
      message: `this token lacks the "${needed}" scope`,
    });
  request.principal = principal;
  request.authChecked = true;
}

/** `['api/v1/reports', '/']` → `/api/v1/reports`, as Nest joins a controller's and a method's paths. */
function joinPath(...parts: string[]): string {
  const segments = parts.flatMap((p) => p.split('/')).filter((segment) => segment !== '');
  return `/${segments.join('/')}`;
}

/**
 * What each Nest route needs, by `METHOD url` as Fastify registered it: its @Public() or
 * @RequireScope (method over class, admin when neither says, as the guard reads them).
 */
export function routeAccessTable(app: INestApplication): Map<string, RouteAccess> {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const table = new Map<string, RouteAccess>();
  for (const module of app.get(ModulesContainer).values())
    for (const wrapper of module.controllers.values()) {
      const { metatype, instance } = wrapper;
      if (typeof metatype !== 'function' || !instance) continue;
      const prefixes = [Reflect.getMetadata(PATH_METADATA, metatype) as string | string[]]
        .flat()
        .map((p) => p ?? '');
      const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name];
        if (typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (method === undefined || paths === undefined) continue;
        const targets = [handler, metatype];
        const access: RouteAccess = reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)
          ? 'public'
          : (reflector.getAllAndOverride<Scope>(SCOPE_KEY, targets) ?? 'admin');
        const verbs =
          method === RequestMethod.ALL
            ? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']
            : [RequestMethod[method]];
        for (const prefix of prefixes)
          for (const path of [paths].flat())
            for (const verb of verbs) table.set(`${verb} ${joinPath(prefix, path)}`, access);
      }
    }
  return table;
}

/**
 * Authenticates every request in a Fastify `onRequest` hook: before its body is read, so a
 * request without a valid token (or over a rate limit) costs neither the upload nor the parse
 * (401/403/429 at once; a body still on its way is not read: the connection closes after the
 * answer). Scopes as the routes declare them (@RequireScope, @Public; a plain Fastify route in
 * its config, routeAccessConfig); other routes Nest does not serve (the dashboard, the API
 * document) and unknown paths (404) need no token, as before.
 * The AuthGuard stays as a second line for any request the hook did not check.
 */
export function installAuthHook(app: INestApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  let table: Map<string, RouteAccess> | null = null;
  let services: { tokens: TokenService; limiter: RateLimiter } | null = null;
  fastify.addHook('onRequest', async (request: AuthenticatedRequest, reply: FastifyReply) => {
    const { url, config } = request.routeOptions;
    if (url === undefined) return;
    let access = (config as unknown as Record<string, RouteAccess | undefined>)[
      ROUTE_ACCESS_CONFIG_KEY
    ];
    if (access === undefined) {
      // Built at the first request: by then Nest has registered every route.
      table ??= routeAccessTable(app);
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      access = table.get(`${method} ${url}`);
    }
    if (access === undefined) return;
    if (access === 'public') {
      request.authChecked = true;
      return;
    }
    services ??= {
      tokens: app.get(TokenService, { strict: false }),
      limiter: app.get(RateLimiter, { strict: false }),
    };
    try {
      await authenticate(request, reply, access, services.tokens, services.limiter);
    } catch (e) {
      if (hasBody(request)) void reply.header('connection', 'close');
      throw e;
    }
  });
}

const hasBody = (request: FastifyRequest): boolean =>
  request.headers['transfer-encoding'] !== undefined ||
  (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');
