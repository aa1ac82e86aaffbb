import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';

import { authenticate, type AuthenticatedRequest } from './auth.hook';
import { RateLimiter } from './rate-limiter';
import { PUBLIC_KEY, type Scope, SCOPE_KEY } from './scopes';
import { TokenService } from './token.service';

// The hook that authenticates before the body is read (re-exported here: the package entry lists this file).
export * from './auth.hook';

/**
 * Rate limits, bearer-token authentication and the scope check for every route (registered
 * globally). The api checks each request earlier, in an `onRequest` hook (installAuthHook),
 * before its body is read; this guard passes what the hook checked and checks, the same way,
 * any request the hook did not (a route missing from its table, an app built without it).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (request.authChecked) return true;
    const needed = this.reflector.getAllAndOverride<Scope>(SCOPE_KEY, targets) ?? 'admin';
    await authenticate(
      request,
      context.switchToHttp().getResponse<FastifyReply>(),
      needed,
      this.tokens,
      this.limiter,
    );
    return true;
  }
}
