import { HttpModule } from '@nestjs/axios';
import { Controller, type DynamicModule, Get, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type RedisOptions, Transport } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  HealthCheck,
  HealthCheckService,
  HttpHealthIndicator,
  MemoryHealthIndicator,
  MicroserviceHealthIndicator,
  TerminusModule,
} from '@nestjs/terminus';

/** What one service's health check looks at. */
export interface TerminusDependencies {
  /** The HTTP API it calls, checked as `inventory-api`. */
  inventoryUrl: string;
  /** The Redis it uses as its microservice transport, checked as `redis`. */
  redisPort: number;
}

const DEPENDENCIES = Symbol('terminus dependencies');

/** The /health a NestJS service writes from the @nestjs/terminus documentation. */
@Controller('health')
class HealthController {
  constructor(
    @Inject(DEPENDENCIES) private readonly deps: TerminusDependencies,
    private readonly health: HealthCheckService,
    private readonly http: HttpHealthIndicator,
    private readonly microservice: MicroserviceHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.http.pingCheck('inventory-api', this.deps.inventoryUrl, { timeout: 500 }),
      () =>
        this.microservice.pingCheck<RedisOptions>('redis', {
          transport: Transport.REDIS,
          options: { host: '127.0.0.1', port: this.deps.redisPort },
          // Short enough for a poll that times out at 900 ms.
          timeout: 500,
        }),
      // A threshold no test process reaches: the check is there, and up.
      () => this.memory.checkHeap('memory_heap', 8 * 1024 ** 3),
    ]);
  }
}

@Module({})
class TerminusServiceModule {
  static with(deps: TerminusDependencies): DynamicModule {
    return {
      module: TerminusServiceModule,
      imports: [TerminusModule.forRoot({ logger: false }), HttpModule],
      controllers: [HealthController],
      providers: [{ provide: DEPENDENCIES, useValue: deps }],
    };
  }
}

/** One NestJS service (on Fastify) with its terminus /health, listening on a port the OS picks. */
export async function startTerminusService(
  deps: TerminusDependencies,
): Promise<{ app: NestFastifyApplication; url: string }> {
  const app = await NestFactory.create<NestFastifyApplication>(
    TerminusServiceModule.with(deps),
    new FastifyAdapter(),
    { logger: false },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}/health` };
}
