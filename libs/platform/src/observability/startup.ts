import type { LoggerService } from '@nestjs/common';
import IORedis from 'ioredis';
import pino, { type Logger as PinoLogger } from 'pino';

import { ConfigError, type FaultlineConfig, loadConfig } from '../config/config.schema';
import { REDACTED_PATHS } from './logger';

/**
 * What goes wrong before a process serves anything, said as one line that names the setting to
 * change (a port in use, Postgres or Redis out of reach): `npm start` and the process itself
 * print that line instead of a stack, and exit non-zero.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** The message `scripts/start.mjs` receives (IPC) from a child that could not start. */
export interface StartupFailedMessage {
  faultline: 'startup-failed';
  message: string;
}

/** A URL as it may be shown: the password replaced. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(not a URL)';
  }
}

function hostPort(raw: string, defaultPort: number): string {
  const url = new URL(raw);
  return `${url.hostname}:${url.port || defaultPort}`;
}

/** An origin a person can open: the wildcard addresses shown as localhost. */
export function displayOrigin(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
}

type SysError = Error & { code?: string; errors?: unknown[] };

/** The reason of a connection error: Node gives an AggregateError with no message when every address of a name refused. */
function reasonOf(e: unknown): string {
  const err = e as SysError;
  if (Array.isArray(err?.errors) && err.errors.length > 0)
    return [...new Set(err.errors.map((x) => reasonOf(x)))].join('; ');
  const message = err instanceof Error ? err.message : String(e);
  return message || err?.code || 'unknown error';
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
]);

function codeOf(e: unknown): string | undefined {
  const err = e as SysError;
  if (typeof err?.code === 'string') return err.code;
  if (Array.isArray(err?.errors)) return codeOf(err.errors[0]);
  return undefined;
}

/** A failed listen as the setting to change; other errors are returned unchanged. */
export function listenFailure(
  e: unknown,
  listener: {
    setting: 'PORT' | 'WORKER_METRICS_PORT' | 'CORRELATOR_METRICS_PORT';
    port: number;
    host: string;
  },
): Error {
  const { setting, port, host } = listener;
  // A metrics port 0 turns that process's metrics off; the api's port 0 takes any free port.
  const zero =
    setting === 'PORT'
      ? '0 for any'
      : `0 to turn the ${setting === 'WORKER_METRICS_PORT' ? 'worker' : 'correlator'}'s metrics off`;
  switch (codeOf(e)) {
    case 'EADDRINUSE':
      return new StartupError(`port ${port} is in use: set ${setting} to a free port (or ${zero})`);
    case 'EACCES':
      return new StartupError(
        `port ${port} needs privileges this process lacks: set ${setting} to a port above 1023 (or ${zero})`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(
        `HOST ${host} is not an address of this machine: set HOST (0.0.0.0 listens on every interface)`,
      );
    default:
      return e instanceof Error ? e : new Error(String(e));
  }
}

/**
 * A failure to reach or prepare Postgres as a line naming DATABASE_URL and what was tried.
 * Errors of a migration itself (SQL) are returned unchanged.
 */
export function databaseFailure(e: unknown, databaseUrl: string): Error {
  if (e instanceof StartupError) return e;
  const tried = redactUrl(databaseUrl);
  let where: string;
  let database: string;
  try {
    where = hostPort(databaseUrl, 5432);
    database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  } catch {
    return e instanceof Error ? e : new Error(String(e));
  }
  const code = codeOf(e);
  const reason = reasonOf(e);
  if (code && UNREACHABLE.has(code))
    return new StartupError(
      `Postgres is not reachable at ${where} (${reason}): start it, or set DATABASE_URL (tried ${tried})`,
    );
  if (!code && /timeout/i.test(reason))
    return new StartupError(
      `Postgres did not answer at ${where} (${reason}): start it, or set DATABASE_URL (tried ${tried})`,
    );
  switch (code) {
    case '28P01': // password authentication failed
    case '28000': // no pg_hba.conf entry, role does not exist
      return new StartupError(
        `Postgres at ${where} refused the connection (${reason}): set DATABASE_URL to a user it accepts (tried ${tried})`,
      );
    case '3D000': // the database (or the maintenance database "postgres") does not exist
      return new StartupError(`Postgres at ${where}: ${reason}: set DATABASE_URL (tried ${tried})`);
    case '42501': // permission denied to create database
      return new StartupError(
        `Postgres at ${where} would not create database "${database}" (${reason}): create it, or set DATABASE_URL to one that exists (tried ${tried})`,
      );
    default:
      return e instanceof Error ? e : new Error(String(e));
  }
}

/** Connects to Redis once (no retries) and pings it, or throws a StartupError naming REDIS_URL. */
export async function checkRedis(redisUrl: string, timeoutMs = 5000): Promise<void> {
  const redis = new IORedis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectionName: 'faultline-startup-check',
  });
  // The cause (ECONNREFUSED …) arrives as an 'error' event; connect() then only says "Connection is closed".
  let cause: unknown = null;
  redis.on('error', (e) => (cause ??= e));
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    const tried = redactUrl(redisUrl);
    const where = hostPort(redisUrl, 6379);
    const reason = reasonOf(cause ?? e);
    if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(reason))
      throw new StartupError(
        `Redis at ${where} refused the credentials (${reason}): set REDIS_URL with the right user and password (tried ${tried})`,
      );
    throw new StartupError(
      `Redis is not reachable at ${where} (${reason}): start it, or set REDIS_URL (tried ${tried})`,
    );
  } finally {
    redis.disconnect();
  }
}

/**
 * A logger for what a process says before (or without) its Nest application: the migrations
 * line, the start-up failure. Same level, format and redaction as the application's logs.
 */
export function processLogger(
  config: Pick<FaultlineConfig, 'LOG_LEVEL' | 'LOG_PRETTY'> | null,
  context = 'Startup',
): PinoLogger {
  const options = {
    level: config?.LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  const logger = config?.LOG_PRETTY
    ? pino({ ...options, transport: { target: 'pino-pretty' } })
    : pino(options, pino.destination({ fd: 1, sync: true }));
  return logger.child({ context });
}

/** The one line a start-up failure is reported as. */
export function startupFailureMessage(e: unknown): string {
  if (e instanceof StartupError) return e.message;
  if (e instanceof ConfigError)
    // "Invalid configuration:\n  PORT: …\n  LOG_LEVEL: …" on one line.
    return e.message
      .replace(/:\n\s+/, ': ')
      .replace(/\n\s+/g, '; ')
      .replace(/^Invalid/, 'invalid');
  const message = e instanceof Error ? reasonOf(e) : String(e);
  return `could not start: ${message}`;
}

/**
 * Reports a start-up failure as one fatal line (its stack only at debug level), tells
 * `scripts/start.mjs` (when it is the parent) and exits with code 1.
 */
export async function exitOnStartupFailure(
  e: unknown,
  config: Pick<FaultlineConfig, 'LOG_LEVEL' | 'LOG_PRETTY'> | null,
): Promise<never> {
  const message = startupFailureMessage(e);
  const logger = processLogger(config);
  if (!(e instanceof StartupError) && !(e instanceof ConfigError))
    logger.debug({ err: e }, 'start-up failure');
  logger.fatal(message);
  if (process.send) {
    const sent: StartupFailedMessage = { faultline: 'startup-failed', message };
    await new Promise<void>((done) => {
      const timer = setTimeout(done, 1000);
      process.send?.(sent, undefined, undefined, () => {
        clearTimeout(timer);
        done();
      });
    });
  }
  process.exit(1);
}

/** Runs a process's entry point on the loaded configuration; any failure to start exits as above. */
export function runEntryPoint(main: (config: FaultlineConfig) => Promise<void>): void {
  let config: FaultlineConfig | null = null;
  try {
    config = loadConfig();
    void main(config).catch((e: unknown) => exitOnStartupFailure(e, config));
  } catch (e) {
    void exitOnStartupFailure(e, config);
  }
}

// Nest's own start-up chatter: a line per module and per route (some 90 at info). Debug keeps them.
const QUIET_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

const contextOf = (params: unknown[]): unknown => params[params.length - 1];

/**
 * The application logger with Nest's start-up chatter (module and route lines) at debug level,
 * and Nest's own report of a failed listen too: main.ts reports that as one line naming the
 * setting to change.
 */
export class StartupQuietLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  private debugOrDrop(message: unknown, params: unknown[]): void {
    this.inner.debug?.(message, ...params);
  }

  log(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    if (typeof context === 'string' && QUIET_CONTEXTS.has(context))
      return this.debugOrDrop(message, params);
    this.inner.log(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    if (
      contextOf(params) === 'NestApplication' &&
      typeof message === 'string' &&
      message.startsWith('Error: listen ')
    )
      return this.debugOrDrop(message, params);
    this.inner.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug?.(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose?.(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    if (this.inner.fatal) this.inner.fatal(message, ...params);
    else this.inner.error(message, ...params);
  }
}
