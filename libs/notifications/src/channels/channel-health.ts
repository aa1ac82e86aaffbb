import type { HealthCheckEntry, ReadinessContributor } from '@faultline/platform';
import { Injectable } from '@nestjs/common';
import { ChannelService, FAILING_AFTER } from './channel.service';

/** Readiness detail: channels whose deliveries keep failing (a warning: the others still deliver). */
@Injectable()
export class ChannelHealth implements ReadinessContributor {
  constructor(private readonly channels: ChannelService) {}

  async checks(): Promise<Record<string, HealthCheckEntry[]>> {
    const failing = await this.channels.failing();
    const time = new Date().toISOString();
    if (failing.length === 0) return { 'notifications:channels': [{ componentType: 'component', status: 'pass', time }] };
    return {
      'notifications:channels': failing.map((c) => ({
        componentType: 'component', componentId: c.name, status: 'warn' as const, observedValue: c.consecutiveFailures, observedUnit: 'failed deliveries in a row',
        output: `channel ${c.name} keeps failing (${FAILING_AFTER}+ in a row): ${c.lastError ?? 'unknown error'}`, time,
      })),
    };
  }
}
