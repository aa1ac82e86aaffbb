export type ChannelType = 'webhook' | 'slack' | 'pagerduty' | 'email';
export const CHANNEL_TYPES: readonly ChannelType[] = ['webhook', 'slack', 'pagerduty', 'email'];

/**
 * Per type, what a channel needs. Secret fields (the webhook's signing secret, Slack's webhook
 * URL — its path is the credential —, PagerDuty's routing key, the SMTP password, and any
 * webhook or PagerDuty URL that embeds a credential) are sealed at rest and never returned; the
 * rest is shown as given, a URL with a credential shown redacted (`https://hooks.slack.com/services/***`).
 */
export interface ChannelSettings {
  /** `url` redacted when the URL embeds a credential (then sealed as the secret `url`). */
  webhook: { url: string };
  /** `url` always redacted: the real one is the secret `url`. */
  slack: { url: string };
  pagerduty: { url?: string };
  email: {
    to: string[];
    smtp: {
      host: string;
      port: number;
      secure: boolean;
      requireTls?: boolean;
      user?: string;
      from: string;
      tlsVerify?: boolean;
      /** Lets the SMTP host be a link-local or cloud-metadata address (refused by default). */
      allowLinkLocal?: boolean;
    };
  };
}
export interface ChannelSecrets {
  webhook: { secret?: string; url?: string };
  slack: { url: string };
  pagerduty: { routingKey: string; url?: string };
  email: { password?: string };
}

/** A channel as the API shows it. */
export interface ChannelView {
  id: string;
  name: string;
  type: ChannelType;
  settings: Record<string, unknown>;
  /** Names of the secret fields that are set (values never shown). */
  secrets: string[];
  ratePerMinute: number;
  /** Deliveries failed in a row (after all their retries); 0 when the last one succeeded. */
  consecutiveFailures: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A channel with its secrets opened, for sending: `settings.url` is the real URL again. */
export interface OpenedChannel {
  id: string;
  name: string;
  type: ChannelType;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  ratePerMinute: number;
}

/** PagerDuty's Events API v2 endpoint, unless a channel names another (a proxy, a test receiver). */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
