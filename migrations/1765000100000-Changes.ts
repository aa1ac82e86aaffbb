import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Changes (deploys, config pushes, …): evidence for the correlation engine, listed by the API. */
export class Changes1765000100000 implements MigrationInterface {
  name = 'Changes1765000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE changes (
        id text PRIMARY KEY,
        entity text NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        source text,
        version text,
        summary text NOT NULL,
        links jsonb NOT NULL DEFAULT '[]',
        labels jsonb NOT NULL DEFAULT '{}',
        received_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX changes_entity_started_idx ON changes (entity, started_at DESC)`);
    await q.query(`CREATE INDEX changes_started_idx ON changes (started_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS changes`);
  }
}
