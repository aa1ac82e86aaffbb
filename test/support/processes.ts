import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { pollUntil } from '../../bench/support/poll-until';

/**
 * The real api, worker and correlator as child processes, started from the build in dist/ (npm test builds
 * first; locally run `npm run build`). Each child gets only the environment it is given, so
 * nothing of the test runner's own settings leaks into its configuration.
 */

const DIST = resolve(__dirname, '../../dist/apps');
export const API_MAIN = resolve(DIST, 'api/src/main.js');
export const WORKER_MAIN = resolve(DIST, 'worker/src/main.js');
export const CORRELATOR_MAIN = resolve(DIST, 'correlator/src/main.js');

const running = new Set<ChildProcess>();
// A crashed or interrupted jest run must not leave a child behind.
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child program of an e2e spec (a built api or worker, oslo.middleware under Debian's Python,
 * Alertmanager, redis-server): keeps the tail of its output for failure messages, and is killed at
 * the latest when the jest worker exits, so a failed spec leaves nothing behind.
 */
export class Program {
  private output = '';
  exitedWith: ExitStatus | null = null;
  readonly exited: Promise<ExitStatus>;

  protected constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    running.add(child);
    this.exited = new Promise((done) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        running.delete(child);
        this.exitedWith ??= { code, signal };
        done(this.exitedWith);
      };
      child.once('exit', finish);
      // A command that cannot be spawned (ENOENT) never emits exit.
      child.once('error', (e) => {
        this.output += `\n[spawn error] ${e.message}`;
        finish(null, null);
      });
    });
  }

  /** Starts `command` with `args`; env adds to (or, with `cleanEnv`, replaces) this process's. */
  static start(
    name: string,
    command: string,
    args: string[],
    options: { env?: Record<string, string>; cleanEnv?: boolean; cwd?: string } = {},
  ): Program {
    return new Program(name, spawnChild(command, args, options));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitedWith === null;
  }

  /** The last lines the program wrote, for failure messages. */
  logs(): string {
    return this.output;
  }

  /** Waits until the output matches `pattern` and returns the match; fails if the program exits first. */
  async waitForOutput(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    await pollUntil(
      async () => pattern.test(this.output) || !this.running,
      (done) => done,
      { timeoutMs, intervalMs: 50, what: `${this.name} to print ${pattern}` },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${this.name} output:\n${this.output}`, { cause: e });
    });
    const match = this.output.match(pattern);
    if (!match)
      throw new Error(
        `${this.name} exited (${JSON.stringify(this.exitedWith)}) before printing ${pattern}:\n${this.output}`,
      );
    return match;
  }

  /** Sends `signal` (SIGKILL: no shutdown hook runs) and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    await this.exited;
  }

  /** Sends a signal without waiting, e.g. SIGSTOP / SIGCONT to freeze and thaw the process. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Graceful stop with SIGTERM; SIGKILL if it has not exited within `graceMs`. Safe to call twice. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGCONT'); // a frozen process could not act on SIGTERM
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function spawnChild(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cleanEnv?: boolean; cwd?: string },
): ChildProcess {
  const env = options.cleanEnv
    ? { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env }
    : { ...process.env, ...options.env };
  return spawn(command, args, { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A built Node script (dist/) as a child, with only the environment it is given. */
export class NodeProcess extends Program {
  static spawn(name: string, script: string, env: Record<string, string>): NodeProcess {
    if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
    return new NodeProcess(name, spawnChild(process.execPath, [script], { env, cleanEnv: true }));
  }
}

/** GET /readyz: the status and health+json body (or the connection error as status 0). */
export async function readyz(baseUrl: string): Promise<{ status: number; json: any }> {
  try {
    const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, json: await res.json().catch(() => undefined) };
  } catch (e) {
    return { status: 0, json: { error: (e as Error).message } };
  }
}

/** Starts the api and waits until /readyz answers 200 (status "pass" or "warn"). */
export async function startApi(
  env: Record<string, string>,
  port: number,
): Promise<{ api: NodeProcess; baseUrl: string }> {
  const api = NodeProcess.spawn('api', API_MAIN, { ...env, PORT: String(port) });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await pollUntil(
      () => readyz(baseUrl),
      (r) => r.status === 200 || !api.running,
      { timeoutMs: 30_000, intervalMs: 100, what: 'api /readyz' },
    );
  } catch (e) {
    await api.kill();
    throw new Error(`${(e as Error).message}\napi output:\n${api.logs()}`, { cause: e });
  }
  if (!api.running)
    throw new Error(`api exited at start (${JSON.stringify(api.exitedWith)}):\n${api.logs()}`);
  return { api, baseUrl };
}

/** Starts a worker; it is ready once it has migrated and its BullMQ workers poll (not observable here). */
export function startWorker(env: Record<string, string>): NodeProcess {
  return NodeProcess.spawn('worker', WORKER_MAIN, env);
}

/** Starts a correlator; it is ready once it logs that it became correlation leader. */
export function startCorrelator(env: Record<string, string>): NodeProcess {
  return NodeProcess.spawn('correlator', CORRELATOR_MAIN, env);
}
