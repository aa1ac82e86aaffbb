import type { HealthCheckEntry, ReadinessContributor } from '@faultline/platform';
import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';

import { ChannelService, FAILING_AFTER } from './channel.service';

/**
 * Channels whose deliveries keep failing: a readiness warning (the others still deliver) and a
 * gauge per failing channel, read from Postgres at scrape time.
 */
@Injectable()
export class ChannelHealth implements ReadinessContributor {
  constructor(
    private readonly channels: ChannelService,
    registry: Registry,
  ) {
    const service = channels;
    new Gauge({
      name: 'faultline_notification_channel_failures',
      help: `Deliveries failed in a row, per channel failing ${FAILING_AFTER} or more times`,
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const c of await service.failing())
          this.set({ channel: c.name }, c.consecutiveFailures);
      },
    });
  }

  async checks(): Promise<Record<string, HealthCheckEntry[]>> {
    const failing = await this.channels.failing();
    const time = new Date().toISOString();
    if (failing.length === 0)
      return { 'notifications:channels': [{ componentType: 'component', status: 'pass', time }] };
    return {
      'notifications:channels': failing.map((c) => ({
        componentType: 'component',
        componentId: c.name,
        status: 'warn' as const,
        observedValue: c.consecutiveFailures,
        observedUnit: 'failed deliveries in a row',
        output: `channel ${c.name} keeps failing (${FAILING_AFTER}+ in a row): ${c.lastError ?? 'unknown error'}`,
        time,
      })),
    };
  }
}
