import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';

import { ApiTokenEntity } from './api-token.entity';
import { AuthGuard } from './auth.guard';
import { RateLimiter } from './rate-limiter';
import { TokenService } from './token.service';

/** Registers the global auth guard (rate limits, token, scope) and the token service. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiTokenEntity])],
  providers: [TokenService, RateLimiter, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokenService, RateLimiter],
})
export class AuthModule {}
