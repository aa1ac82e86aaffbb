import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingest rewrites every reporting instance's row once a batch. `state_version` names the batch
 * that last wrote an instance's state (its row and its check rows), so a worker that wrote it
 * can trust its in-memory copy instead of reading the checks back (see StateCache). Free space
 * on each page lets those rewrites be HOT updates (no new index entries); older pages get it as
 * autovacuum rewrites them.
 */
export class IngestStateVersion1765000000000 implements MigrationInterface {
  name = 'IngestStateVersion1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE instances ADD COLUMN state_version bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE instances SET (fillfactor = 50)`);
    await q.query(`ALTER TABLE check_states SET (fillfactor = 80)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE check_states RESET (fillfactor)`);
    await q.query(`ALTER TABLE instances RESET (fillfactor)`);
    await q.query(`ALTER TABLE instances DROP COLUMN state_version`);
  }
}
