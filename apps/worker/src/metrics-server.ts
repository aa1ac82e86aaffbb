import { createServer, type Server } from 'node:http';

import { displayOrigin, listenFailure } from '@faultline/platform';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  server: Server;
  /** Where /metrics is served, e.g. http://localhost:3001/metrics. */
  url: string;
  /** Serves this registry from now on (503 until then). */
  serve(registry: Registry): void;
  close(): void;
}

/**
 * The worker has no HTTP API; it serves its Prometheus metrics alone on WORKER_METRICS_PORT.
 * It listens before the worker takes any job, so a port in use stops the start at once, with
 * a StartupError naming WORKER_METRICS_PORT.
 *
 * It checks no token, so it listens on WORKER_METRICS_HOST (loopback by default), never on the
 * api's HOST.
 */
export async function listenForMetrics(port: number, host: string): Promise<MetricsServer> {
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
    server.once('error', (e) =>
      reject(listenFailure(e, { setting: 'WORKER_METRICS_PORT', port, host })),
    );
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
