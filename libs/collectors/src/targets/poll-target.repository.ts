import {
  type FaultlineConfig,
  InjectConfig,
  SecretBox,
  SecretKeyMissingError,
  SecretUnavailableError,
} from '@faultline/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { redactUrl, unopenedHeaders } from '../http';
import type { PollTarget, PollTargetInput, TargetFormat } from './poll-target.model';
import { splitHeaders } from './secret-headers';

/** Poll URLs: credentials are judged in userinfo and the query, never in the path (ids). */
export const POLL_URL_CREDENTIALS = { pathTokens: false } as const;

interface PollTargetRow {
  id: string;
  /** As shown: redacted when `url_sealed` holds the real one. */
  url: string;
  url_sealed: string | null;
  format: TargetFormat;
  interval_ms: number;
  timeout_ms: number;
  header_names: string[];
  headers_sealed: string | null;
  headers_clear: Record<string, string>;
  service: string;
  instance: string | null;
  host: string | null;
  labels: Record<string, string>;
  mapping: Record<string, string>;
  label_mapping: PollTarget['labelMapping'] | null;
  tls_verify: boolean;
  allow_link_local: boolean;
  origin: 'api' | 'file';
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, url, url_sealed, format, interval_ms, timeout_ms, header_names, headers_sealed, headers_clear, service, instance, host, labels, mapping,
  label_mapping, tls_verify, allow_link_local, origin, created_at, updated_at`;

/**
 * Stored poll targets. Secret-like request headers (isSecretHeader: they carry tokens) are
 * sealed with the secret key before they reach Postgres; the others are stored in clear. The
 * names of all are stored in clear, to show which are set. A URL with credentials (a token in
 * its query, userinfo: redactUrl) is sealed whole and stored redacted for display, so the API
 * shows `https://svc/health?token=***`. Secrets are opened only for a poll; when they cannot be
 * (key missing or rotated away), the poll fails as 'secret-unavailable' instead of crashing.
 */
@Injectable()
export class PollTargetRepository {
  private readonly secrets: SecretBox;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectConfig() config: FaultlineConfig,
  ) {
    this.secrets = SecretBox.fromConfig(config);
  }

  /** Inserts or replaces a target; returns it and whether it was new. */
  async upsert(
    input: Required<Pick<PollTargetInput, 'id'>> & PollTargetInput,
    origin: 'api' | 'file',
  ): Promise<{ target: PollTarget; created: boolean }> {
    const headers = input.headers ?? {};
    const names = Object.keys(headers).sort();
    const { secret, clear } = splitHeaders(headers);
    const sealed =
      Object.keys(secret).length > 0 ? this.secrets.seal(JSON.stringify(secret)) : null;
    const shownUrl = redactUrl(input.url, POLL_URL_CREDENTIALS);
    const urlSealed = shownUrl !== null ? this.secrets.seal(input.url) : null;
    const rows: (PollTargetRow & { created: boolean })[] = await this.dataSource.query(
      `INSERT INTO poll_targets (id, url, format, interval_ms, timeout_ms, header_names, headers_sealed, service, instance, host, labels, mapping,
                                 label_mapping, tls_verify, allow_link_local, origin, headers_clear, url_sealed)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, url_sealed = EXCLUDED.url_sealed, format = EXCLUDED.format, interval_ms = EXCLUDED.interval_ms, timeout_ms = EXCLUDED.timeout_ms,
         header_names = EXCLUDED.header_names, headers_sealed = EXCLUDED.headers_sealed, headers_clear = EXCLUDED.headers_clear, service = EXCLUDED.service, instance = EXCLUDED.instance,
         host = EXCLUDED.host, labels = EXCLUDED.labels, mapping = EXCLUDED.mapping, label_mapping = EXCLUDED.label_mapping,
         tls_verify = EXCLUDED.tls_verify, allow_link_local = EXCLUDED.allow_link_local, origin = EXCLUDED.origin, updated_at = now()
       RETURNING ${COLUMNS}, (xmax = 0) AS created`,
      [
        input.id,
        shownUrl ?? input.url,
        input.format ?? 'auto',
        input.intervalMs,
        input.timeoutMs,
        names,
        sealed,
        input.service,
        input.instance ?? null,
        input.host ?? null,
        JSON.stringify(input.labels ?? {}),
        JSON.stringify(input.mapping ?? {}),
        input.labelMapping ? JSON.stringify(input.labelMapping) : null,
        input.tlsVerify ?? true,
        input.allowLinkLocal ?? false,
        origin,
        JSON.stringify(clear),
        urlSealed,
      ],
    );
    return { target: toTarget(rows[0]), created: rows[0].created };
  }

  async get(id: string): Promise<PollTarget | null> {
    const rows: PollTargetRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM poll_targets WHERE id = $1`,
      [id],
    );
    return rows.length ? toTarget(rows[0]) : null;
  }

  /**
   * A target with its URL and headers opened, for polling it. When a sealed part cannot be opened
   * (no key, or a key rotated away), `headers` is `unopenedHeaders(reason)`: the safe client fails
   * that poll as 'secret-unavailable' with the reason, before connecting anywhere, and the poll
   * is reported as a failing reachability check like any other failed request.
   */
  async getForPoll(
    id: string,
  ): Promise<{ target: PollTarget; headers: Record<string, string> } | null> {
    const rows: PollTargetRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM poll_targets WHERE id = $1`,
      [id],
    );
    if (!rows.length) return null;
    const row = rows[0];
    const target = toTarget(row);
    try {
      const secret = row.headers_sealed
        ? (JSON.parse(this.secrets.open(row.headers_sealed)) as Record<string, string>)
        : {};
      const url = row.url_sealed ? this.secrets.open(row.url_sealed) : row.url;
      return { target: { ...target, url }, headers: { ...row.headers_clear, ...secret } };
    } catch (e) {
      const what =
        row.url_sealed && row.headers_sealed
          ? 'URL and headers'
          : row.url_sealed
            ? 'URL'
            : 'headers';
      return {
        target,
        headers: unopenedHeaders(`the target's sealed ${what} cannot be opened: ${whyUnopened(e)}`),
      };
    }
  }

  /** Targets in id order, after `afterId` (keyset pagination). */
  async list(limit: number, afterId: string | null): Promise<PollTarget[]> {
    const rows: PollTargetRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM poll_targets WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(toTarget);
  }

  async ids(): Promise<{ id: string; intervalMs: number; origin: 'api' | 'file' }[]> {
    const rows: { id: string; interval_ms: number; origin: 'api' | 'file' }[] =
      await this.dataSource.query('SELECT id, interval_ms, origin FROM poll_targets ORDER BY id');
    return rows.map((r) => ({ id: r.id, intervalMs: r.interval_ms, origin: r.origin }));
  }

  async delete(id: string): Promise<boolean> {
    // Read back through a SELECT: TypeORM answers a bare DELETE with [rows, count], always 2 long.
    const rows: unknown[] = await this.dataSource.query(
      'WITH gone AS (DELETE FROM poll_targets WHERE id = $1 RETURNING id) SELECT id FROM gone',
      [id],
    );
    return rows.length > 0;
  }

  get canStoreSecrets(): boolean {
    return this.secrets.available;
  }
}

/** The box's own messages name keys, never values; anything else is described, not repeated. */
function whyUnopened(e: unknown): string {
  if (e instanceof SecretUnavailableError || e instanceof SecretKeyMissingError) return e.message;
  return 'the sealed value is not readable';
}

function toTarget(r: PollTargetRow): PollTarget {
  return {
    id: r.id,
    url: r.url,
    format: r.format,
    intervalMs: r.interval_ms,
    timeoutMs: r.timeout_ms,
    headerNames: r.header_names,
    service: r.service,
    ...(r.instance !== null ? { instance: r.instance } : {}),
    ...(r.host !== null ? { host: r.host } : {}),
    labels: r.labels,
    mapping: r.mapping,
    ...(r.label_mapping ? { labelMapping: r.label_mapping } : {}),
    tlsVerify: r.tls_verify,
    allowLinkLocal: r.allow_link_local,
    origin: r.origin,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
