import { FetchFailure, SafeHttpClient } from '@faultline/collectors';
import { type FaultlineConfig, InjectConfig } from '@faultline/platform';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { Counter, Registry } from 'prom-client';

import { type OpenedChannel, PAGERDUTY_EVENTS_URL } from '../channels/channel.model';
import { ChannelService } from '../channels/channel.service';
import { renderEmail, renderPagerDuty, renderSlack, renderWebhook } from '../messages';
import type { NotificationEvent } from '../notification.model';
import { RESOLVED_BEFORE_OPENED, resolvedGate } from '../routing/notification-planner';
import { EmailDeliveryError, EmailTransport } from '../transports';
import { ChannelRateLimiter } from './channel-rate-limiter';
import { NotificationLogRepository } from './notification-log.repository';

/** How often a resolved row waiting for its opened one to be delivered looks again (not an attempt). */
const OPENED_WAIT_MS = 1000;

/** A receiver's answer that retrying cannot change (4xx other than 408 and 429). */
class PermanentDeliveryError extends Error {}

/**
 * Delivers one row of the delivery log through its channel. Idempotent: a row already sent is
 * not sent again, and every message carries the event's stable id (webhook X-Faultline-Event-Id,
 * PagerDuty dedup_key, email Message-ID), so when a worker dies between sending and recording,
 * the retry is recognisable as the same message by the receiver. A failed attempt throws, so
 * BullMQ retries it with backoff; after the last attempt (or a permanent refusal) the row is
 * failed and the channel's run of failures grows (readiness and metrics show it). A resolved row
 * goes out only after the channel's opened row is sent (resolvedGate): it waits for an opened
 * attempt under way, and skips itself (and an opened not yet attempted) otherwise. An attempt is
 * counted before anything is sent, only on a row still pending, which is what lets the skip of an
 * unattempted opened and its first attempt exclude each other.
 */
@Injectable()
export class NotificationSender implements OnModuleDestroy {
  private readonly logger = new Logger(NotificationSender.name);
  private readonly http = new SafeHttpClient();
  private readonly deliveries: Counter<'type' | 'outcome'>;

  constructor(
    private readonly log: NotificationLogRepository,
    private readonly channels: ChannelService,
    private readonly limiter: ChannelRateLimiter,
    @InjectConfig() private readonly config: FaultlineConfig,
    registry: Registry,
  ) {
    this.deliveries = new Counter({
      name: 'faultline_notification_deliveries_total',
      help: 'Notification delivery attempts by channel type and outcome',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    });
  }

  async deliver(
    notificationId: string,
    job: Job,
    token: string | undefined,
    now = Date.now(),
  ): Promise<'sent' | 'skipped'> {
    const record = await this.log.get(notificationId);
    if (!record || record.status !== 'pending') return 'skipped';
    const channel = await this.channels.open(record.channelId);
    if (!channel) return 'skipped';
    if (record.kind === 'resolved' && !(await this.openedWasSent(record, job, token, now)))
      return 'skipped';
    const next = await this.limiter.take(channel.id, channel.ratePerMinute, now);
    if (next !== null && token) {
      // Over the channel's budget: wait for its next window (not an attempt).
      await job.moveToDelayed(next, token);
      throw new DelayedError();
    }
    if (!(await this.log.startAttempt(notificationId))) return 'skipped';
    try {
      await this.send(channel, record.event, now);
    } catch (e) {
      const reason = (e as Error).message;
      const permanent =
        e instanceof PermanentDeliveryError || (e instanceof EmailDeliveryError && e.permanent);
      const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.log.markFailedAttempt(notificationId, reason, final);
      this.deliveries.inc({ type: channel.type, outcome: final ? 'failed' : 'retrying' });
      if (final) {
        const run = await this.channels.recordOutcome(channel.id, reason);
        this.logger.warn(
          `notification ${notificationId} to channel ${channel.name} failed for good (${run} in a row): ${reason}`,
        );
      }
      if (permanent) throw new UnrecoverableError(reason);
      throw e;
    }
    await this.log.markSent(notificationId);
    await this.channels.recordOutcome(channel.id, null);
    this.deliveries.inc({ type: channel.type, outcome: 'sent' });
    return 'sent';
  }

  /**
   * True once the channel's opened row for the incident is sent; false after skipping the
   * resolved row (and an opened no attempt has started on); waits (delays the job, not an
   * attempt) while an opened attempt may be under way.
   */
  private async openedWasSent(
    resolved: { id: string; incidentId: string; channelId: string },
    job: Job,
    token: string | undefined,
    now: number,
  ): Promise<boolean> {
    for (;;) {
      const opened = await this.log.opened(resolved.incidentId, resolved.channelId);
      const gate = resolvedGate(opened);
      switch (gate.action) {
        case 'send':
          return true;
        case 'skip':
          await this.log.skip(resolved.id, gate.reason);
          return false;
        case 'skip-opened':
          // Lost to an attempt that started meanwhile: look again (it now waits or sends).
          if (opened && !(await this.log.skip(opened.id, RESOLVED_BEFORE_OPENED, true))) continue;
          await this.log.skip(resolved.id, RESOLVED_BEFORE_OPENED);
          return false;
        case 'wait':
          if (token) {
            await job.moveToDelayed(now + OPENED_WAIT_MS, token);
            throw new DelayedError();
          }
          throw new Error('waiting for the opened notification to be delivered first');
      }
    }
  }

  private async send(channel: OpenedChannel, event: NotificationEvent, now: number): Promise<void> {
    switch (channel.type) {
      case 'webhook': {
        const message = renderWebhook(event, { secret: channel.secrets.secret, atMs: now });
        return this.post(channel.settings.url as string, message.body, message.headers);
      }
      case 'slack':
        return this.post(channel.secrets.url, JSON.stringify(renderSlack(event)), {
          'content-type': 'application/json',
        });
      case 'pagerduty':
        return this.post(
          (channel.settings.url as string | undefined) ?? PAGERDUTY_EVENTS_URL,
          JSON.stringify(renderPagerDuty(event, channel.secrets.routingKey)),
          { 'content-type': 'application/json' },
        );
      case 'email': {
        const settings = channel.settings as {
          to: string[];
          smtp: {
            host: string;
            port: number;
            secure: boolean;
            requireTls?: boolean;
            user?: string;
            from: string;
            tlsVerify?: boolean;
          };
        };
        const transport = new EmailTransport(
          { ...settings.smtp, password: channel.secrets.password },
          { timeoutMs: this.config.NOTIFY_TIMEOUT_MS },
        );
        try {
          const email = renderEmail(event);
          await transport.send({
            to: settings.to,
            subject: email.subject,
            text: email.text,
            html: email.html,
            messageId: email.messageId,
          });
        } finally {
          transport.close();
        }
        return;
      }
    }
  }

  private async post(url: string, body: string, headers: Record<string, string>): Promise<void> {
    let status: number;
    try {
      status = (
        await this.http.fetch(url, {
          method: 'POST',
          body,
          headers,
          timeoutMs: this.config.NOTIFY_TIMEOUT_MS,
          maxBodyBytes: 64 * 1024,
        })
      ).status;
    } catch (e) {
      if (e instanceof FetchFailure) {
        const reason = `${e.reason}: ${e.message}`;
        // A URL the policy refuses stays refused: no point retrying it.
        throw e.reason === 'blocked-address' || e.reason === 'invalid-url'
          ? new PermanentDeliveryError(reason)
          : new Error(reason);
      }
      throw e;
    }
    if (status >= 200 && status < 300) return;
    const message = `the receiver answered HTTP ${status}`;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429)
      throw new PermanentDeliveryError(message);
    throw new Error(message);
  }

  onModuleDestroy(): void {
    this.http.close();
  }
}
