import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Collectors: health endpoints to poll, push sources (identity defaults, component mapping,
 * an optional signing secret), and the components no mapping resolved yet. Secrets (request
 * headers, signing secrets) are stored sealed by FAULTLINE_SECRET_KEY, never in clear.
 */
export class Collectors1764238000000 implements MigrationInterface {
  name = 'Collectors1764238000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE poll_targets (
        id text PRIMARY KEY,
        url text NOT NULL,
        format text NOT NULL,
        interval_ms integer NOT NULL CHECK (interval_ms > 0),
        timeout_ms integer NOT NULL CHECK (timeout_ms > 0 AND timeout_ms < interval_ms),
        header_names text[] NOT NULL DEFAULT '{}',
        headers_sealed text NULL,
        service text NOT NULL,
        instance text NULL,
        host text NULL,
        labels jsonb NOT NULL DEFAULT '{}',
        mapping jsonb NOT NULL DEFAULT '{}',
        label_mapping jsonb NULL,
        tls_verify boolean NOT NULL DEFAULT true,
        allow_link_local boolean NOT NULL DEFAULT false,
        origin text NOT NULL CHECK (origin IN ('api', 'file')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE push_sources (
        id text PRIMARY KEY,
        secret_sealed text NULL,
        service text NULL,
        instance text NULL,
        host text NULL,
        labels jsonb NOT NULL DEFAULT '{}',
        mapping jsonb NOT NULL DEFAULT '{}',
        label_mapping jsonb NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE unresolved_components (
        source text NOT NULL,
        service text NOT NULL,
        component text NOT NULL,
        target text NOT NULL,
        first_seen timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, service, component)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS unresolved_components`);
    await q.query(`DROP TABLE IF EXISTS push_sources`);
    await q.query(`DROP TABLE IF EXISTS poll_targets`);
  }
}
