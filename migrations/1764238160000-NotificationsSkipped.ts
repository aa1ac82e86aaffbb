import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications: the delivery log's `skipped` status — a row recorded and never sent: an opened
 * the incident's end overtook before any attempt, and the resolved of a channel that never got
 * the opened (the reason is in last_error).
 */
export class NotificationsSkipped1764238160000 implements MigrationInterface {
  name = 'NotificationsSkipped1764238160000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE notifications
        DROP CONSTRAINT notifications_status_check,
        ADD CONSTRAINT notifications_status_check
          CHECK (status IN ('pending', 'sent', 'failed', 'silenced', 'skipped'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Skipped rows were never sent; the older schema has no word for that but failed.
    await q.query(`UPDATE notifications SET status = 'failed' WHERE status = 'skipped'`);
    await q.query(`
      ALTER TABLE notifications
        DROP CONSTRAINT notifications_status_check,
        ADD CONSTRAINT notifications_status_check
          CHECK (status IN ('pending', 'sent', 'failed', 'silenced'))`);
  }
}
