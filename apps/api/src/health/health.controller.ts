import { type HealthResponse, Public, ReadinessService, RequireScope } from '@faultline/platform';
import { Controller, Get, Header, Res } from '@nestjs/common';
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
  @ApiOperation({
    summary: 'Readiness: Postgres and Redis reachable (503 naming the one that is down)',
  })
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const health = await this.readiness.check();
    await reply
      .status(health.status === 'fail' ? 503 : 200)
      .header('content-type', HEALTH_JSON)
      .send(health);
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
