import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Explicit aliases: a check target (backend key) served by an instance, service or host. */
export class Aliases1764151400000 implements MigrationInterface {
  name = 'Aliases1764151400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE aliases (
        target_key text PRIMARY KEY,
        served_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS aliases`);
  }
}
