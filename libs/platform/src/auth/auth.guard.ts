import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { TooManyRequestsError } from '../errors/domain-errors';
import { RateLimiter } from './rate-limiter';
import { grants, PUBLIC_KEY, type Scope, SCOPE_KEY } from './scopes';
import { type Principal, sha256, TokenService } from './token.service';

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/**
 * Rate limits, bearer-token authentication and the scope check for every route (registered
 * globally). The limits come first, before the token is looked up: a flood costs one Redis
 * round trip a request and is refused with 429 and Retry-After once over its limit.
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
    const needed = this.reflector.getAllAndOverride<Scope>(SCOPE_KEY, targets) ?? 'admin';
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const hash = match ? sha256(match[1]) : null;
    const over = await this.limiter.hit(request.ip, hash, needed);
    if (over) {
      const retryAfterS = Math.max(1, Math.ceil(over.retryAfterMs / 1000));
      void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', retryAfterS);
      const windowS = this.limiter.windowMs / 1000;
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
    const principal = await this.tokens.verifyHash(hash);
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
    return true;
  }
}
