import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications: channels (secret settings sealed by FAULTLINE_SECRET_KEY), routes from incident
 * matchers to channels, silences, and the delivery log — one row per (incident, event, channel),
 * which is what makes a notification go out once however often it is planned.
 */
export class Notifications1764238100000 implements MigrationInterface {
  name = 'Notifications1764238100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_channels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('webhook', 'slack', 'pagerduty', 'email')),
        settings jsonb NOT NULL DEFAULT '{}',
        secrets_sealed text NULL,
        rate_per_minute integer NOT NULL CHECK (rate_per_minute > 0),
        consecutive_failures integer NOT NULL DEFAULT 0,
        last_error text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_notification_channels_name UNIQUE (name)
      )`);
    await q.query(`
      CREATE TABLE notification_routes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        match jsonb NOT NULL,
        channel_ids uuid[] NOT NULL,
        repeat_interval_ms integer NULL CHECK (repeat_interval_ms IS NULL OR repeat_interval_ms >= 60000),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE silences (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        match jsonb NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
        comment text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id text NOT NULL,
        event_key text NOT NULL,
        channel_id uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
        kind text NOT NULL,
        top_cause text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'silenced')),
        silenced_by uuid[] NOT NULL DEFAULT '{}',
        event jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_notifications_event UNIQUE (incident_id, event_key, channel_id)
      )`);
    await q.query(`CREATE INDEX ix_notifications_created ON notifications (created_at DESC)`);
    await q.query(
      `CREATE INDEX ix_notifications_pending ON notifications (created_at) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS notifications`);
    await q.query(`DROP TABLE IF EXISTS silences`);
    await q.query(`DROP TABLE IF EXISTS notification_routes`);
    await q.query(`DROP TABLE IF EXISTS notification_channels`);
  }
}
