import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { Program } from './programs';

/**
 * Debian's python3-oslo.middleware imports under the system Python only (a `python3` earlier on
 * PATH may be another interpreter without it).
 */
export const SYSTEM_PYTHON = '/usr/bin/python3';
export const OSLO_AVAILABLE =
  existsSync(SYSTEM_PYTHON) &&
  existsSync('/usr/lib/python3/dist-packages/oslo_middleware/healthcheck/__init__.py');

const SCRIPT = join(__dirname, 'oslo_service.py');

/**
 * One OpenStack-like service: oslo_service.py (a trivial WSGI app behind oslo.middleware's
 * Healthcheck, detailed, with disable_by_file and the custom rabbitmq plugin) on a port the OS
 * picks. RabbitMQ is "down" for it while `rabbitDownFile` exists.
 */
export class OsloService {
  private constructor(
    readonly name: string,
    readonly program: Program,
    readonly port: number,
  ) {}

  /**
   * @param cacheDir stevedore caches entry points under XDG_CACHE_HOME: a spec's own keeps
   *   the run from reading (or writing) the user's cache.
   */
  static async start(name: string, rabbitDownFile: string, cacheDir: string): Promise<OsloService> {
    const program = Program.start(
      name,
      SYSTEM_PYTHON,
      // A disable_by_file_path that does not exist: the service is not disabled by its operator.
      [SCRIPT, '0', rabbitDownFile, join(cacheDir, `${name}-healthcheck_disable`)],
      { cleanEnv: true, env: { XDG_CACHE_HOME: cacheDir, PYTHONDONTWRITEBYTECODE: '1' } },
    );
    try {
      const [, port] = await program.waitForOutput(/listening on (\d+)/);
      return new OsloService(name, program, Number(port));
    } catch (e) {
      await program.stop();
      throw e;
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/healthcheck`;
  }

  /** GET /healthcheck as a client would: status, content type, body. */
  async ask(accept: string): Promise<{ status: number; contentType: string; body: string }> {
    const res = await fetch(this.url, {
      headers: { accept },
      signal: AbortSignal.timeout(5000),
    });
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      body: await res.text(),
    };
  }
}

/** RabbitMQ goes down (the flag file appears) or comes back (it goes away). */
export async function setRabbitDown(flagFile: string, down: boolean): Promise<void> {
  if (down) await writeFile(flagFile, 'down\n');
  else await rm(flagFile, { force: true });
}
