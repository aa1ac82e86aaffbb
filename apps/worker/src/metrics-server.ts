import { createServer, type Server } from 'node:http';

import type { Registry } from 'prom-client';

/** The worker has no HTTP API; it serves its Prometheus metrics alone on WORKER_METRICS_PORT. */
export function serveMetrics(registry: Registry, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (e: Error) => res.writeHead(500).end(e.message),
    );
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}
