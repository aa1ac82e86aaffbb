import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incidents as the correlation engine last described them: one row per incident, replaced by
 * each newer snapshot (IncidentStore.apply). Times are event time except updated_at (wall
 * clock of the last write). root_key repeats root_causes[0].key for top-cause lookups;
 * timeline is [{at: RFC 3339, what}].
 *
 * The list reads newest opened first, so its indexes end in (opened_at, id): one with status
 * in front for the status filter, one without for status=all. Service and cause filters are
 * containment tests served by GIN indexes.
 */
export class Incidents1764151200000 implements MigrationInterface {
  name = 'Incidents1764151200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incidents (
        id text PRIMARY KEY,
        status text NOT NULL CONSTRAINT incidents_status_check CHECK (status IN ('open', 'resolved')),
        opened_at timestamptz NOT NULL,
        resolved_at timestamptz,
        first_evidence_at timestamptz NOT NULL,
        root_key text,
        root_causes jsonb NOT NULL DEFAULT '[]',
        affected_services text[] NOT NULL DEFAULT '{}',
        affected_instances text[] NOT NULL DEFAULT '{}',
        timeline jsonb NOT NULL DEFAULT '[]',
        changed_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX incidents_status_opened_idx ON incidents (status, opened_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX incidents_opened_idx ON incidents (opened_at DESC, id DESC)`);
    await q.query(`CREATE INDEX incidents_services_idx ON incidents USING gin (affected_services)`);
    await q.query(`CREATE INDEX incidents_root_key_idx ON incidents (root_key)`);
    await q.query(
      `CREATE INDEX incidents_root_causes_idx ON incidents USING gin (root_causes jsonb_path_ops)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS incidents`);
  }
}
