import { createServer } from 'node:http';

import { Program } from './programs';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** A real redis-server on `port` of 127.0.0.1, nothing persisted, in the foreground (a child we kill). */
export async function startRedisServer(port: number): Promise<Program> {
  const program = Program.start(
    `redis-server:${port}`,
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ],
    { cleanEnv: true },
  );
  try {
    await program.waitForOutput(/Ready to accept connections/);
    return program;
  } catch (e) {
    await program.stop();
    throw e;
  }
}

/** A tiny HTTP API (200 on every path) on `port` (0: the OS picks), and how to stop it. */
export async function startHttpDependency(
  port: number,
): Promise<{ port: number; url: string; stop(): Promise<void> }> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"inventory":"ok"}'),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as { port: number }).port;
  let stopped: Promise<void> | null = null;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}/`,
    stop: () =>
      (stopped ??= new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}
