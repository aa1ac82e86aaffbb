import { createServer, type Server } from 'node:http';

import type { Registry } from 'prom-client';

import { displayOrigin, listenFailure } from './startup';

export type MetricsPortSetting = 'WORKER_METRICS_PORT' | 'CORRELATOR_METRICS_PORT';

export interface MetricsServer {
  server: Server;
  /** Where /metrics is served, e.g. http://localhost:3001/metrics. */
  url: string;
  /** Serves this registry from now on (503 until then). */
  serve(registry: Registry): void;
  close(): void;
}

/**
 * The worker and the correlator have no HTTP API; each serves its Prometheus metrics alone on
 * its own port (`setting`: WORKER_METRICS_PORT, CORRELATOR_METRICS_PORT). It listens before the
 * process takes any job, so a port in use stops the start at once, with a StartupError naming
 * that setting.
 *
 * It checks no token, so it listens on WORKER_METRICS_HOST (loopback by default), never on the
 * api's HOST.
 */
export async function listenForMetrics(
  port: number,
  host: string,
  setting: MetricsPortSetting,
): Promise<MetricsServer> {
  let registry: Registry | null = null;
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (!registry) {
      res.writeHead(503).end('starting');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry?.contentType }).end(body),
      (e: Error) => res.writeHead(500).end(e.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(listenFailure(e, { setting, port, host })));
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    url: `${displayOrigin(host, bound)}/metrics`,
    serve: (r) => (registry = r),
    close: () => server.close(),
  };
}
