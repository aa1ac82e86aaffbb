import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound safety: a poll target URL that carries credentials (userinfo, a token in the query)
 * is stored sealed (`url_sealed`), `url` then holding it redacted for display; a channel stores
 * the NAMES of its sealed secrets in clear (`secret_names`), so channels list without opening
 * any secret — a missing or wrong key can no longer break the list. Rows sealed before this
 * migration keep `secret_names` NULL until `npm run secrets:reseal` (or the next save) fills it.
 */
export class SealedUrlsSecretNames1764238500000 implements MigrationInterface {
  name = 'SealedUrlsSecretNames1764238500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE poll_targets ADD COLUMN IF NOT EXISTS url_sealed text NULL`);
    await q.query(
      `ALTER TABLE notification_channels ADD COLUMN IF NOT EXISTS secret_names text[] NULL`,
    );
    // Channels without sealed secrets have none to name.
    await q.query(
      `UPDATE notification_channels SET secret_names = '{}' WHERE secrets_sealed IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification_channels DROP COLUMN IF EXISTS secret_names`);
    await q.query(`ALTER TABLE poll_targets DROP COLUMN IF EXISTS url_sealed`);
  }
}
