import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The foundation schema. Entities use natural keys (service name, backend key, ...) because
 * every writer already knows them: the ingest path never looks up an id before writing.
 * Raw reports live in a table partitioned by day of event time, so retention drops whole
 * partitions instead of deleting rows.
 */
export class InitialSchema1764064800000 implements MigrationInterface {
  name = 'InitialSchema1764064800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE services (
        name text PRIMARY KEY,
        first_seen_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE hosts (
        name text PRIMARY KEY,
        zone text,
        first_seen_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE backends (
        key text PRIMARY KEY,
        scheme text NOT NULL,
        host text NOT NULL,
        port integer,
        first_seen_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE instances (
        service text NOT NULL REFERENCES services(name),
        name text NOT NULL,
        host text REFERENCES hosts(name),
        zone text,
        labels jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        last_received_at timestamptz NOT NULL,
        interval_ms integer,
        CONSTRAINT instances_pkey PRIMARY KEY (service, name)
      )`);
    await q.query(`CREATE INDEX instances_host_idx ON instances (host)`);
    await q.query(`CREATE INDEX instances_status_idx ON instances (status)`);
    await q.query(`
      CREATE TABLE check_states (
        service text NOT NULL,
        instance text NOT NULL,
        name text NOT NULL,
        target text,
        backend_key text REFERENCES backends(key),
        status text NOT NULL,
        since timestamptz NOT NULL,
        latency_ms double precision,
        output text,
        CONSTRAINT check_states_pkey PRIMARY KEY (service, instance, name),
        CONSTRAINT check_states_instance_fkey FOREIGN KEY (service, instance) REFERENCES instances (service, name)
      )`);
    await q.query(
      `CREATE INDEX check_states_backend_idx ON check_states (backend_key) WHERE backend_key IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE check_transitions (
        id bigserial PRIMARY KEY,
        service text NOT NULL,
        instance text NOT NULL,
        check_name text NOT NULL,
        backend_key text,
        from_status text,
        to_status text NOT NULL,
        observed_at timestamptz NOT NULL,
        output text,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX check_transitions_instance_idx ON check_transitions (service, instance, observed_at)`,
    );
    await q.query(`CREATE INDEX check_transitions_observed_idx ON check_transitions (observed_at)`);
    await q.query(`
      CREATE TABLE reports (
        service text NOT NULL,
        instance text NOT NULL,
        observed_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        status text NOT NULL,
        client_id text,
        body jsonb NOT NULL,
        CONSTRAINT reports_pkey PRIMARY KEY (service, instance, observed_at)
      ) PARTITION BY RANGE (observed_at)`);
    await q.query(`
      CREATE TABLE report_ids (
        client_id text PRIMARY KEY,
        observed_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX report_ids_observed_idx ON report_ids (observed_at)`);
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        token_hash text NOT NULL,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT api_tokens_hash_key UNIQUE (token_hash)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'api_tokens',
      'report_ids',
      'reports',
      'check_transitions',
      'check_states',
      'instances',
      'backends',
      'hosts',
      'services',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t} CASCADE`);
    }
  }
}
