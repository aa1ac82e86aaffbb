import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pollUntil } from '../../../bench/support/poll-until';
import type { Stack } from '../stack';

/**
 * Real programs the e2e specs run as children (oslo.middleware under Debian's Python,
 * Alertmanager, redis-server): each keeps the tail of its output for failure messages, and is
 * killed at the latest when the jest worker exits, so a failed spec leaves nothing behind.
 */

const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

export class Program {
  private output = '';
  exitedWith: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exited: Promise<void>;

  private constructor(
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
        done();
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
  static spawn(
    name: string,
    command: string,
    args: string[],
    options: { env?: Record<string, string>; cleanEnv?: boolean; cwd?: string } = {},
  ): Program {
    const env = options.cleanEnv
      ? { PATH: '/usr/bin:/bin', ...options.env }
      : { ...process.env, ...options.env };
    const child = spawn(command, args, {
      env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Program(name, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitedWith === null;
  }

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

  /** SIGTERM, then SIGKILL after `graceMs`; waits for the exit. Safe to call twice. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Stops every program (those never started are skipped); one that fails to stop does not stop the others. */
export async function stopAll(programs: Iterable<Program | undefined>): Promise<void> {
  await Promise.all(
    [...programs].map((p) => (p ? p.stop().catch(() => undefined) : Promise.resolve())),
  );
}

/** A fresh temporary directory, and its removal. */
export async function tempDir(label: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `faultline-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface IncidentJson {
  id: string;
  status: 'open' | 'resolved';
  rootCauses: { key: string; confidence: number; summary: string; kind: string }[];
  affected: { services: string[]; instances: number };
}

/** GET /api/v1/incidents?status=… (every page is not needed: a spec's database holds few). */
export async function incidents(
  stack: Stack,
  status: 'open' | 'resolved' | 'all' = 'open',
): Promise<IncidentJson[]> {
  const res = await stack.call('GET', `/api/v1/incidents?status=${status}&limit=100`);
  if (res.status !== 200) throw new Error(`GET /api/v1/incidents: ${res.status} ${res.text}`);
  return res.json.items as IncidentJson[];
}

/** Every incident with its detail (timeline, instance keys), as one JSON text for evidence. */
export async function incidentDetails(stack: Stack): Promise<unknown[]> {
  const all = await incidents(stack, 'all');
  return Promise.all(
    all.map(async (i) => (await stack.call('GET', `/api/v1/incidents/${i.id}`)).json),
  );
}

/** A short form of incidents for failure messages and reports. */
export function brief(list: IncidentJson[]): string {
  return JSON.stringify(
    list.map((i) => ({
      status: i.status,
      causes: i.rootCauses.map((c) => `${c.key} (${c.confidence.toFixed(2)}): ${c.summary}`),
      services: i.affected.services,
      instances: i.affected.instances,
    })),
    null,
    1,
  );
}
