import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incidents: a severity (warning while only warnings speak for it, critical once anything
 * fails), and for a cause that flaps, the flag and the number of down periods it has had.
 */
export class IncidentSeverityFlapping1764238200000 implements MigrationInterface {
  name = 'IncidentSeverityFlapping1764238200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE incidents
        ADD COLUMN severity text NOT NULL DEFAULT 'critical'
          CONSTRAINT incidents_severity_check CHECK (severity IN ('warning', 'critical')),
        ADD COLUMN flapping boolean NOT NULL DEFAULT false,
        ADD COLUMN cycles integer NOT NULL DEFAULT 1 CONSTRAINT incidents_cycles_check CHECK (cycles >= 1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE incidents DROP COLUMN severity, DROP COLUMN flapping, DROP COLUMN cycles`,
    );
  }
}
