/** Pure renderers from a NotificationEvent to each channel's payload: no I/O, no clock, no randomness. */
export {
  changeCauseText,
  changeFields,
  evidenceChangesText,
  evidenceWithChanges,
} from './change-text';
export { escapeHtml, type RenderedEmail, renderEmail } from './email-message';
export { type EventFacts, eventFacts, groupInstances, type ServiceGroup } from './event-facts';
export { headline } from './headline';
export { incidentPageUrl } from './incident-link';
export {
  pagerDutyDedupKey,
  type PagerDutyResolve,
  type PagerDutyTrigger,
  renderPagerDuty,
} from './pagerduty-event';
export { escapeSlackText, renderSlack, SLACK_LIMITS, SLACK_MAX_SERVICES } from './slack-message';
export {
  EVENT_ID_HEADER,
  renderWebhook,
  SIGNATURE_HEADER,
  WEBHOOK_BODY_VERSION,
  type WebhookMessage,
} from './webhook-message';
