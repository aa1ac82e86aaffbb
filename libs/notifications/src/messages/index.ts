/** Pure renderers from a NotificationEvent to each channel's payload: no I/O, no clock, no randomness. */
export { headline } from './headline';
export {
  renderWebhook,
  type WebhookMessage,
  WEBHOOK_BODY_VERSION,
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
} from './webhook-message';
export { renderSlack, escapeSlackText, SLACK_LIMITS, SLACK_MAX_SERVICES } from './slack-message';
export {
  renderPagerDuty,
  pagerDutyDedupKey,
  type PagerDutyTrigger,
  type PagerDutyResolve,
} from './pagerduty-event';
export { renderEmail, escapeHtml, type EmailMessage } from './email-message';
export { eventFacts, groupInstances, type EventFacts, type ServiceGroup } from './event-facts';
