import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { pollUntil } from '../../bench/support/poll-until';

/**
 * Throw-away Postgres and Redis servers for fault tests: each on a free port of 127.0.0.1 with
 * its data in a fresh temp dir, so a spec may stop, restart and kill them without touching the
 * shared servers on 5432 and 6379. Call destroy() in afterAll; it is safe after any failure.
 */

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

/** A TCP port nobody listens on right now (the kernel picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Postgres 15 run as the `postgres` OS user (initdb refuses root), trust auth, socket in its own dir. */
export class ThrowawayPostgres {
  private constructor(
    readonly port: number,
    private readonly root: string,
  ) {}

  private get dataDir(): string {
    return join(this.root, 'data');
  }

  static async start(): Promise<ThrowawayPostgres> {
    const root = await mkdtemp(join(tmpdir(), 'faultline-pg-'));
    const pg = new ThrowawayPostgres(await freePort(), root);
    try {
      const { uid, gid } = await postgresIds();
      await mkdir(join(root, 'socket'));
      await Promise.all([chown(root, uid, gid), chown(join(root, 'socket'), uid, gid)]);
      await pg.asPostgres('initdb', [
        '-D',
        pg.dataDir,
        '--auth=trust',
        '-U',
        'postgres',
        '--no-instructions',
        '-E',
        'UTF8',
      ]);
      await pg.start();
      return pg;
    } catch (e) {
      await pg.destroy();
      throw e;
    }
  }

  /** A connection URL for `database` on this server. */
  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** pg_ctl stop: `fast` aborts open transactions, `immediate` is a crash. */
  async stop(mode: 'smart' | 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.ctl('stop', ['-m', mode]);
  }

  /** Starts the server; every start names port and socket dir (else it would try 5432). */
  async start(): Promise<void> {
    await this.ctl('start', this.startArgs());
  }

  /** Starts the server unless it runs: lets one scenario begin cleanly after another failed mid-fault. */
  async ensureRunning(): Promise<void> {
    const running = await this.asPostgres('pg_ctl', ['status', '-D', this.dataDir]).then(
      () => true,
      () => false,
    );
    if (!running) await this.start();
  }

  async restart(mode: 'smart' | 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.ctl('restart', ['-m', mode, ...this.startArgs()]);
  }

  private startArgs(): string[] {
    return [
      '-l',
      join(this.root, 'postgres.log'),
      '-o',
      `-p ${this.port} -k ${join(this.root, 'socket')} -c listen_addresses=127.0.0.1`,
    ];
  }

  /** Stops the server if it runs and removes every file it had. */
  async destroy(): Promise<void> {
    await this.ctl('stop', ['-m', 'immediate']).catch(() => undefined);
    await rm(this.root, { recursive: true, force: true });
  }

  private async ctl(action: string, args: string[]): Promise<void> {
    try {
      await this.asPostgres('pg_ctl', [action, '-D', this.dataDir, '-w', '-t', '30', ...args]);
    } catch (e) {
      const log = await readFile(join(this.root, 'postgres.log'), 'utf8').catch(() => '');
      (e as Error).message += `\npostgres.log:\n${log.slice(-3000)}`;
      throw e;
    }
  }

  private async asPostgres(bin: string, args: string[]): Promise<void> {
    try {
      // cwd: the postgres user cannot read /work; pg_ctl wants a cwd it can stat.
      await run('runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args], {
        cwd: this.root,
        timeout: 60_000,
      });
    } catch (e) {
      const err = e as Error & { stdout?: string; stderr?: string };
      throw new Error(
        `${bin} ${args[0] ?? ''} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`,
        { cause: e },
      );
    }
  }
}

/** redis-server as a child of this process, AOF with fsync on every write, no RDB snapshots. */
export class ThrowawayRedis {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private log = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(
      await freePort(),
      await mkdtemp(join(tmpdir(), 'faultline-redis-')),
    );
    try {
      await redis.start();
      return redis;
    } catch (e) {
      await redis.destroy();
      throw e;
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server on the same port and dir (so it replays its AOF) and waits for PONG. */
  async start(): Promise<void> {
    if (this.child) throw new Error('redis is already running');
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
    ];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => (this.log = (this.log + chunk.toString()).slice(-8000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => {
      if (this.child === child) this.child = null;
    });
    await pollUntil(
      () => this.ping(),
      (reply) => reply === 'PONG' || this.child !== child,
      { timeoutMs: 15_000, what: `redis on ${this.port}` },
    );
    if (this.child !== child) throw new Error(`redis-server exited at start:\n${this.log}`);
  }

  async ensureRunning(): Promise<void> {
    if (!this.child) await this.start();
  }

  /** SHUTDOWN (which flushes the AOF), then waits for the process to exit. */
  async shutdown(): Promise<void> {
    if (!this.child) return;
    await run('redis-cli', ['-p', String(this.port), 'shutdown']).catch(() => undefined); // the connection drops as it exits
    await this.waitExit(10_000);
  }

  async destroy(): Promise<void> {
    if (this.child) {
      this.child.kill('SIGKILL');
      await this.waitExit(5000).catch(() => undefined);
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private async ping(): Promise<string> {
    try {
      return (
        await run('redis-cli', ['-p', String(this.port), 'ping'], { timeout: 2000 })
      ).stdout.trim();
    } catch (e) {
      return (e as Error).message;
    }
  }

  private async waitExit(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>(
      (_, reject) =>
        (timer = setTimeout(
          () => reject(new Error(`redis-server did not exit in ${ms} ms:\n${this.log}`)),
          ms,
        )),
    );
    try {
      await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
