import { hostname } from 'node:os';

import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every setting Faultline reads from the environment, parsed and checked once at start-up.
 * Nothing else in the code base reads process.env.
 */
export const configSchema = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .default('postgres://postgres@127.0.0.1:5432/faultline'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(3000),
  /** The worker's own /metrics endpoint; 0 turns it off. */
  WORKER_METRICS_PORT: int(0, 65535).default(3001),
  /** The correlator's own /metrics endpoint (`npm run start:correlator`); 0 turns it off. */
  CORRELATOR_METRICS_PORT: int(0, 65535).default(3002),
  /**
   * The address the worker's and the correlator's /metrics listen on: loopback by default, as
   * they have no token check (0.0.0.0 to let a Prometheus on another machine scrape them,
   * behind a network policy).
   */
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  FAULTLINE_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Prefix of every BullMQ key, so several deployments (or test runs) can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w-]+$/, 'letters, digits, - and _ only')
    .default('faultline'),
  RETENTION_DAYS: int(1, 365).default(3),
  TRANSITION_RETENTION_DAYS: int(1, 3650).default(30),
  /** The largest body the ingest routes take (POST /api/v1/reports, /api/v1/ingest/:format); every other route takes 64 KiB. */
  /**
   * A report older than its instance's newest replays the instance's stored reports since then
   * (state and transitions recomputed in event-time order) only within these bounds: at most
   * this many stored reports from the late one on, and at most this much event time behind the
   * instance's newest. An older one is stored as history only (state and transitions stay).
   */
  LATE_REPLAY_MAX_REPORTS: int(1, 100_000).default(100),
  LATE_REPLAY_MAX_AGE_MS: int(0, 86_400_000).default(10 * 60_000),
  /**
   * Nodes the whole graph (GET /api/v1/graph without around) answers at most: beyond it the
   * answer holds the first this many by priority (unwell first, then backends, services, hosts,
   * zones, instances; by key) and says `truncated: true`; ask `around` for a neighbourhood.
   */
  GRAPH_MAX_NODES: int(1, 1_000_000).default(5000),
  /** Unresolved component names longer than this are not recorded (a name is a label, not a text). */
  UNRESOLVED_COMPONENT_MAX_LENGTH: int(1, 10_000).default(200),
  /** Unresolved components not seen for this many days are forgotten. */
  UNRESOLVED_COMPONENT_RETENTION_DAYS: int(1, 3650).default(30),
  INGEST_BODY_LIMIT_BYTES: int(1024, 256 * 1024 * 1024).default(16 * 1024 * 1024),
  /** Reports one request may carry (an array or NDJSON lines); past it 413 naming the cap. */
  INGEST_MAX_REPORTS_PER_REQUEST: int(1, 1_000_000).default(10_000),
  /** Group commit: requests arriving within this window share one Redis write. */
  INGEST_GROUP_WAIT_MS: int(0, 1000).default(4),
  INGEST_GROUP_MAX_REPORTS: int(1, 100_000).default(2000),
  /** Instances whose committed state a worker keeps in memory, to skip reading it back (0: off). */
  INGEST_STATE_CACHE_INSTANCES: int(0, 10_000_000).default(200_000),
  INGEST_JOB_ATTEMPTS: int(1, 10_000).default(200),
  /** Ingest jobs a worker holds at once; those waiting while a write runs are written together. */
  WORKER_CONCURRENCY: int(1, 64).default(8),
  /** How long a job's lock lives without renewal: a killed worker's batch is retried after it. */
  WORKER_LOCK_MS: int(1000, 600_000).default(30_000),
  /**
   * Whether this worker stands for correlation leader (false: a worker pool that only stores
   * reports, beside a correlator). `npm start` sets it false for its worker and runs a
   * correlator, unless it is false already: then nothing correlates.
   */
  CORRELATION_ENABLED: bool.default(true),
  /** The correlation leader's lease: a dead leader is replaced after at most this long. */
  CORRELATION_LEASE_MS: int(1000, 600_000).default(15_000),
  /**
   * Event time the correlation clock stays behind the newest report, for reports the pipeline
   * cannot see coming (a client that buffers, an api process between its own requests).
   */
  CORRELATION_ALLOWED_LATENESS_MS: int(0, 600_000).default(0),
  /**
   * Wall time a report must have been received for before its event time moves the correlation
   * clock: requests sent side by side may be far apart in event time (see EventTimeFeed).
   */
  CORRELATION_ARRIVAL_GRACE_MS: int(0, 60_000).default(500),
  /**
   * Event time an incident whose symptoms cleared waits before it resolves: a cause failing again
   * within it continues the same incident (flapping) instead of paging anew.
   */
  CORRELATION_QUIET_PERIOD_MS: int(0, 3_600_000).default(75_000),
  /**
   * Event time after a change (deploy, config push, …) within which symptoms of its entity, or of
   * what depends on it, make it a candidate cause (closer is stronger).
   */
  CORRELATION_CHANGE_WINDOW_MS: int(0, 86_400_000).default(15 * 60_000),
  /** How often the correlation leader moves its clock when no report arrives (wall time). */
  CORRELATION_CLOCK_MS: int(100, 60_000).default(1000),
  /**
   * A batch in flight longer than this (wall time: a Postgres outage's backlog still retrying)
   * stops holding the correlation clock back; a batch that fails for good stops at once.
   */
  IN_FLIGHT_MAX_HOLD_MS: int(10_000, 86_400_000).default(60 * 60_000),
  AUTH_CACHE_MS: int(0, 600_000).default(5000),
  /**
   * Which proxies in front of the api to believe about the client's address (X-Forwarded-For),
   * as Fastify's trustProxy: `false` (default: none, the socket's peer is the client), `true`
   * (every hop: only behind a proxy that overwrites the header), a hop count (`1`: the nearest
   * proxy), or a comma-separated list of addresses and CIDR ranges of trusted proxies. The
   * per-address rate limit counts the address this yields.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .transform((v, ctx): boolean | number | string[] => {
      if (/^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
      if (/^\d+$/.test(v)) return Number(v);
      const list = v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
      if (list.length && list.every((a) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(a))) return list;
      ctx.addIssue({
        code: 'custom',
        message:
          'must be true, false, a hop count or a comma-separated list of addresses/CIDR ranges',
      });
      return z.NEVER;
    }),
  /**
   * Rate limits, counted in Redis across api processes over fixed windows of this length; each
   * limit is a rate per second, allowed as rate × window (bursts inside a window pass). 429 with
   * Retry-After past it.
   */
  RATE_LIMIT_WINDOW_MS: int(1000, 3_600_000).default(10_000),
  /** Requests per second one token may make to ingest routes (0: no limit). */
  RATE_LIMIT_INGEST_PER_S: int(0, 10_000_000).default(5000),
  /** Requests per second one token may make to read routes (0: no limit). */
  RATE_LIMIT_READ_PER_S: int(0, 10_000_000).default(1000),
  /** Requests per second one token may make to admin routes (0: no limit). */
  RATE_LIMIT_ADMIN_PER_S: int(0, 10_000_000).default(100),
  /** Requests per second from one client address to token-guarded routes, any token or none (0: no limit). */
  RATE_LIMIT_ADDRESS_PER_S: int(0, 10_000_000).default(10_000),
  /**
   * Key that encrypts stored secrets (poll headers and URLs with credentials, channel secrets,
   * push signing secrets): 32 bytes as 64 hex characters. Without it such secrets are refused,
   * never stored in clear.
   */
  FAULTLINE_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 32 bytes as 64 hex characters')
    .optional(),
  /**
   * Earlier secret keys, comma-separated (64 hex characters each), kept after a rotation so that
   * values sealed under them still open until `npm run secrets:reseal` re-sealed them under
   * FAULTLINE_SECRET_KEY. Never used to seal.
   */
  FAULTLINE_SECRET_KEYS: z
    .string()
    .regex(
      /^\s*[0-9a-fA-F]{64}\s*(,\s*[0-9a-fA-F]{64}\s*)*,?\s*$/,
      'must be 64-hex-character keys separated by commas',
    )
    .optional(),
  /** This worker's name as a collector (`backend:collector://<id>`): polls are reported as reachable from it. */
  COLLECTOR_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, 'lower-case letters, digits, . and - (a host name label)')
    .default(collectorIdFromHost()),
  /** Poll targets to upsert at worker start-up (YAML), beside those managed through the API. */
  COLLECTOR_TARGETS_FILE: z.string().min(1).optional(),
  /** Where people reach Faultline: links in notifications point here. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
  /** Delivery attempts of one notification (exponential backoff from 1 s) before it is marked failed. */
  NOTIFY_ATTEMPTS: int(1, 50).default(8),
  /** How long one delivery may take (connect, send, answer) before the attempt counts as failed. */
  NOTIFY_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** Polls one worker runs at once (they wait on the network, not the CPU). */
  POLL_CONCURRENCY: int(1, 1000).default(50),
  /**
   * The most CPU time reading one poll answer may take (its format's adapter): past it the poll
   * reports the target unreachable with that reason, and the poll job ends (never retried).
   */
  POLL_ADAPT_TIMEOUT_MS: int(10, 60_000).default(2000),
  MIGRATE_ON_START: bool.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.default(false),
});

/** The machine's host name as a collector id (lower case, invalid characters replaced). */
function collectorIdFromHost(): string {
  const id = hostname()
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63);
  return id || 'collector';
}

export type FaultlineConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment, or throws one error that lists every bad setting and why. */
export function loadConfig(env: Record<string, string | undefined> = process.env): FaultlineConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = configSchema.safeParse(present);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
