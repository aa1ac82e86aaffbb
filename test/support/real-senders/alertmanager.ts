import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { stringify } from 'yaml';

import { pollUntil } from '../../../bench/support/poll-until';
import { freePort } from '../throwaway-servers';
import { Program } from './programs';

/** Debian's prometheus-alertmanager (0.25). */
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';
export const ALERTMANAGER_AVAILABLE = existsSync(ALERTMANAGER_BIN);

/**
 * The configuration an operator writes to send alerts to Faultline: every alert to one webhook
 * receiver, grouped by alertname, flushed within a second (group_wait, group_interval) so a test
 * need not wait, resolved alerts sent too, the ingest token as a Bearer credential.
 */
export function alertmanagerConfig(webhookUrl: string, token: string): string {
  return stringify({
    route: {
      receiver: 'faultline',
      group_by: ['alertname'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1h',
    },
    receivers: [
      {
        name: 'faultline',
        webhook_configs: [
          {
            url: webhookUrl,
            send_resolved: true,
            http_config: { authorization: { type: 'Bearer', credentials: token } },
          },
        ],
      },
    ],
  });
}

export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/** A running Alertmanager: its own config and storage in `dir`, no cluster gossip. */
export class Alertmanager {
  private constructor(
    readonly program: Program,
    readonly baseUrl: string,
  ) {}

  static async start(dir: string, webhookUrl: string, token: string): Promise<Alertmanager> {
    const configFile = join(dir, 'alertmanager.yml');
    await writeFile(configFile, alertmanagerConfig(webhookUrl, token));
    const port = await freePort();
    const program = Program.start(
      'alertmanager',
      ALERTMANAGER_BIN,
      [
        `--config.file=${configFile}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        // Debug: each notification's outcome is logged ("Notify success" / "Notify for alerts failed").
        '--log.level=debug',
      ],
      { cleanEnv: true },
    );
    const am = new Alertmanager(program, `http://127.0.0.1:${port}`);
    try {
      await pollUntil(
        async () => (program.running ? (await fetch(`${am.baseUrl}/-/ready`)).status : -1),
        (status) => status === 200 || status === -1,
        { timeoutMs: 15_000, intervalMs: 100, retryErrors: true, what: 'alertmanager /-/ready' },
      );
      if (!program.running) throw new Error('alertmanager exited at start');
      return am;
    } catch (e) {
      await program.stop();
      throw new Error(`${(e as Error).message}\nalertmanager output:\n${program.logs()}`, {
        cause: e,
      });
    }
  }

  /** POST /api/v2/alerts, as Prometheus (or any client) sends them. */
  async post(alerts: PostableAlert[]): Promise<void> {
    const res = await fetch(`${this.baseUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    if (res.status !== 200)
      throw new Error(`alertmanager refused the alerts: ${res.status} ${await res.text()}`);
  }

  /** The webhook integration's counters from /metrics: notifications sent and failed. */
  async webhookCounters(): Promise<{ sent: number; failed: number }> {
    const text = await (await fetch(`${this.baseUrl}/metrics`)).text();
    const counter = (name: string) => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) && l.includes('integration="webhook"'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    return {
      sent: counter('alertmanager_notifications_total'),
      failed: counter('alertmanager_notifications_failed_total'),
    };
  }
}
