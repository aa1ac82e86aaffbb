import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Collectors: the fleet-wide component mapping (a component name → the backend it is, for every
 * push and poll; a source's or target's own mapping wins), looked up by name across sources in
 * unresolved_components. Poll targets keep headers that are not secrets (Accept, User-Agent) in
 * clear, so they need no FAULTLINE_SECRET_KEY; secret-like ones stay sealed in headers_sealed.
 */
export class ComponentMappings1764238300000 implements MigrationInterface {
  name = 'ComponentMappings1764238300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE component_mappings (
        name text PRIMARY KEY,
        target text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX unresolved_components_component_idx ON unresolved_components (component)`,
    );
    await q.query(`ALTER TABLE poll_targets ADD COLUMN headers_clear jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE poll_targets DROP COLUMN IF EXISTS headers_clear`);
    await q.query(`DROP INDEX IF EXISTS unresolved_components_component_idx`);
    await q.query(`DROP TABLE IF EXISTS component_mappings`);
  }
}
