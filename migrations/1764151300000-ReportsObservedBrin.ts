import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The correlation engine is rebuilt from the most recent minutes of reports, read in
 * observedAt order. A BRIN index finds them in an append-mostly table at almost no cost
 * to ingest, where a b-tree would add a write per report.
 */
export class ReportsObservedBrin1764151300000 implements MigrationInterface {
  name = 'ReportsObservedBrin1764151300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX reports_observed_brin ON reports USING brin (observed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS reports_observed_brin`);
  }
}
