import type { NotificationCause, NotificationEvent, NotificationKind } from '../notification.model';
import { changeCauseText, evidenceWithChanges } from './change-text';
import { eventFacts, instanceSample, type ServiceGroup } from './event-facts';
import { flappingNote, headline } from './headline';
import { incidentPageUrl } from './incident-link';
import { counted, httpUrl, oneLine, parseTime, percent, truncate } from './message-text';

/**
 * Slack incoming-webhook payload: {text, blocks}. `text` is the one-line fallback Slack shows in
 * notifications; the blocks are, in order:
 *   header   "🔴 Incident: <cause key>" | "✅ Resolved: …" | "🔁 Still open: …" | "↪️ Cause changed: …"
 *            | "🔴 Failing again: …" (reopened: the headline, its fallback text, says flapping and the cycle)
 *   section  the cause, its kind and confidence as a percentage; its evidence (the summary, then
 *            any change it bears that the summary does not name), or for a change cause
 *            "*Cause:* <the change> — <evidence>"; other candidates
 *   section  cause-changed only: the previous cause
 *   section  reopened only: it resolved and failed again, flapping (cycle K when known)
 *   section  affected services with their instance counts and a few instance names (at most 15 services, then "…and N more")
 *   section  resolved only: what recovered, grouped the same way (replacing the affected section
 *            when exactly the affected instances recovered, so nothing is listed twice)
 *   context  opened / resolved times (Slack renders them in the reader's time zone) and the incident id
 *   actions  a button to the incident's dashboard page (incidentPageUrl; a plain link in the
 *            context when the URL is not http(s))
 *
 * Contract: pure and deterministic. Within Slack's limits whatever the incident's size: header
 * text ≤ 150 characters, every mrkdwn text ≤ 3000, at most 6 blocks (limit 50). Every
 * interpolated value is escaped per Slack's rules (&, <, > as entities), so a service named
 * `<!channel>` cannot ping a channel; names go in inline code so `*` and `_` in them do not format.
 */

export const SLACK_LIMITS = {
  headerText: 150,
  text: 3000,
  blocks: 50,
  buttonText: 75,
  buttonUrl: 3000,
} as const;
/** Services listed per section before "…and N more". */
export const SLACK_MAX_SERVICES = 15;

const HEADER_TITLES: Record<NotificationKind, string> = {
  opened: '🔴 Incident',
  resolved: '✅ Resolved',
  repeat: '🔁 Still open',
  'cause-changed': '↪️ Cause changed',
  reopened: '🔴 Failing again',
};
const FALLBACK_PREFIXES: Record<NotificationKind, string> = {
  opened: '',
  resolved: '',
  repeat: 'Still open — ',
  'cause-changed': 'Cause changed — ',
  reopened: '',
};
const OTHER_CAUSES_SHOWN = 3;
// Room kept at the end of a list section for its "…and N more" line.
const MORE_LINE_RESERVE = 120;

/** Slack's escaping for mrkdwn and fallback text: only &, < and > are control characters. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderSlack(event: NotificationEvent): { text: string; blocks: object[] } {
  const facts = eventFacts(event);
  const { incident } = event;
  const page = incidentPageUrl(incident.url);
  const url = httpUrl(page);
  const buttonUrl = url !== null && url.length <= SLACK_LIMITS.buttonUrl ? url : null;

  const blocks: object[] = [
    // plain_text is shown literally, so the header needs no escaping, only the length cap.
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(
          `${HEADER_TITLES[event.kind]}: ${oneLine(facts.cause.key)}`,
          SLACK_LIMITS.headerText,
        ),
        emoji: true,
      },
    },
    mrkdwnSection(causeText(event, facts.cause, facts.otherCauses)),
  ];
  if (event.kind === 'cause-changed' && incident.previousTopCause) {
    blocks.push(
      mrkdwnSection(
        `*Previous cause:* ${code(truncate(incident.previousTopCause, 500))}, now ${code(truncate(facts.cause.key, 500))}`,
      ),
    );
  }
  if (event.kind === 'reopened')
    blocks.push(mrkdwnSection(`*Failing again* after it resolved: ${flappingNote(event)}`));
  // A resolved incident whose every affected instance recovered lists them once, as recovered.
  if (!facts.recoveredAllAffected) {
    blocks.push(
      mrkdwnSection(
        groupsText(
          `*Affected: ${counted(facts.affected.length, 'service')}, ${counted(facts.affectedInstanceCount, 'instance')}*`,
          facts.affected,
        ),
      ),
    );
  }
  if (facts.recovered) {
    const everything = facts.recoveredAllAffected ? ', everything that was affected' : '';
    const title = `*Recovered: ${counted(facts.recoveredInstanceCount, 'instance')} across ${counted(facts.recovered.length, 'service')}${everything}*`;
    blocks.push(mrkdwnSection(groupsText(title, facts.recovered)));
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: clampMrkdwn(contextText(event, buttonUrl === null ? page : null)) },
    ],
  });
  if (buttonUrl !== null) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open incident' },
          url: buttonUrl,
          action_id: 'faultline-open-incident',
        },
      ],
    });
  }
  return {
    text: clampMrkdwn(escapeSlackText(FALLBACK_PREFIXES[event.kind] + headline(event))),
    blocks,
  };
}

function causeText(
  event: NotificationEvent,
  cause: NotificationCause,
  others: readonly NotificationCause[],
): string {
  const lines = [
    `*Likely cause:* ${code(truncate(cause.key, 500))} (${escapeSlackText(oneLine(cause.kind))}), confidence *${percent(cause.confidence)}*`,
  ];
  const change = changeCauseText(event, cause);
  lines.push(
    change !== null
      ? `*Cause:* ${escapeSlackText(truncate(change, 1000))}`
      : escapeSlackText(truncate(evidenceWithChanges(event, cause), 1000)),
  );
  if (others.length > 0) {
    const shown = others
      .slice(0, OTHER_CAUSES_SHOWN)
      .map((c) => `${code(truncate(c.key, 200))} (${percent(c.confidence)})`);
    const rest = others.length - shown.length;
    lines.push(`_Other candidates:_ ${shown.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`);
  }
  return lines.join('\n');
}

/** A title line, then one line per service while they fit (at most SLACK_MAX_SERVICES), then "…and N more". */
function groupsText(title: string, groups: readonly ServiceGroup[]): string {
  const lines = [title];
  let length = title.length;
  let shown = 0;
  for (const group of groups.slice(0, SLACK_MAX_SERVICES)) {
    const line = clampMrkdwn(groupLine(group), 1000);
    if (length + 1 + line.length > SLACK_LIMITS.text - MORE_LINE_RESERVE) break;
    lines.push(line);
    length += 1 + line.length;
    shown += 1;
  }
  const hidden = groups.slice(shown);
  if (hidden.length > 0) {
    const hiddenInstances = hidden.reduce((sum, g) => sum + g.instanceCount, 0);
    lines.push(
      `_…and ${counted(hidden.length, 'more service')} (${counted(hiddenInstances, 'instance')})_`,
    );
  }
  return clampMrkdwn(lines.join('\n'));
}

function groupLine(group: ServiceGroup): string {
  if (group.instanceCount === 0) return `• ${code(truncate(group.service, 100))}`;
  const { names, more } = instanceSample(group);
  const sample =
    names.map((name) => escapeSlackText(oneLine(name))).join(', ') +
    (more > 0 ? ` +${more} more` : '');
  return `• ${code(truncate(group.service, 100))} — ${counted(group.instanceCount, 'instance')}: ${sample}`;
}

function contextText(event: NotificationEvent, linkAsText: string | null): string {
  const { incident } = event;
  const parts = [`Opened ${slackDate(incident.openedAt)}`];
  if (incident.resolvedAt) parts.push(`Resolved ${slackDate(incident.resolvedAt)}`);
  parts.push(
    `Severity ${escapeSlackText(event.severity)}`,
    `Incident ${code(truncate(incident.id, 200))}`,
  );
  // Without a button, the URL still reaches the reader, as text they can copy.
  if (linkAsText !== null)
    parts.push(`Link: ${escapeSlackText(truncate(oneLine(linkAsText), 1000))}`);
  return parts.join(' · ');
}

/** `<!date^…>` shows the time in the reader's zone; the fallback after `|` is the RFC 3339 text. */
function slackDate(rfc3339: string): string {
  const ms = parseTime(rfc3339);
  const text = escapeSlackText(truncate(oneLine(rfc3339), 100)).replace(/\|/g, '/');
  return ms === null
    ? text
    : `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${text}>`;
}

/** Inline code, so mrkdwn characters in names show as typed; a backtick would end the span, so it becomes a quote. */
function code(text: string): string {
  return `\`${escapeSlackText(oneLine(text).replace(/`/g, "'"))}\``;
}

function mrkdwnSection(text: string): object {
  return { type: 'section', text: { type: 'mrkdwn', text: clampMrkdwn(text) } };
}

/** Caps escaped text without cutting an entity (`&amp;`) in half: the last guard behind the per-value caps. */
function clampMrkdwn(text: string, max: number = SLACK_LIMITS.text): string {
  if (text.length <= max) return text;
  let cut = truncate(text, max).slice(0, -1);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && amp >= cut.length - 5 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}…`;
}
