import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';

import { grants, PUBLIC_KEY, type Scope, SCOPE_KEY } from './scopes';
import { type Principal, TokenService } from './token.service';

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** Bearer-token authentication and scope check for every route (registered globally). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const needed = this.reflector.getAllAndOverride<Scope>(SCOPE_KEY, targets) ?? 'admin';
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match)
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'missing bearer token (Authorization: Bearer <token>)',
      });
    const principal = await this.tokens.verify(match[1]);
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
