import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An API token may be bound to services: a list of names or prefixes (`billing-*`) it may
 * report for. NULL: unbound, any service (every token created before this).
 */
export class TokenServiceBinding1764238600000 implements MigrationInterface {
  name = 'TokenServiceBinding1764238600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_tokens ADD COLUMN services text[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_tokens DROP COLUMN IF EXISTS services`);
  }
}
