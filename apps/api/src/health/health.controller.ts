import {
  grants,
  type HealthResponse,
  Public,
  publicHealth,
  ReadinessService,
  RequireScope,
  TokenService,
} from '@faultline/platform';
import { Controller, Get, Header, Headers, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Registry } from 'prom-client';

const HEALTH_JSON = 'application/health+json';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly registry: Registry,
    private readonly tokens: TokenService,
  ) {}

  @Get('healthz')
  @Public()
  @Header('content-type', HEALTH_JSON)
  @ApiOperation({ summary: 'Liveness: the process answers' })
  liveness(): HealthResponse {
    return { status: 'pass', description: 'faultline api' };
  }

  @Get('readyz')
  @Public()
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Readiness: Postgres and Redis reachable (503 naming the one that is down). Without a read token: statuses only; with one: the reasons (error texts, latencies, failing notification channels)',
  })
  async ready(
    @Res() reply: FastifyReply,
    @Headers('authorization') authorization?: string,
  ): Promise<void> {
    const [full, detailed] = await Promise.all([
      this.readiness.check(),
      this.mayRead(authorization),
    ]);
    const health = detailed ? full : publicHealth(full);
    await reply
      .status(health.status === 'fail' ? 503 : 200)
      .header('content-type', HEALTH_JSON)
      .send(health);
  }

  /** Whether the caller holds a read token; never throws (a token store away means no). */
  private async mayRead(authorization: string | undefined): Promise<boolean> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return false;
    const principal = await this.tokens.verify(match[1]).catch(() => null);
    return principal !== null && grants(principal.scopes, 'read');
  }

  @Get('metrics')
  @RequireScope('read')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Prometheus metrics (read scope)' })
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    await reply
      .header('content-type', this.registry.contentType)
      .send(await this.registry.metrics());
  }
}
