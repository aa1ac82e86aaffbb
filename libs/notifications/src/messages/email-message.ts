import type { NotificationEvent, NotificationKind } from '../notification.model';
import { changeCauseText, evidenceWithChanges } from './change-text';
import {
  describeGroup,
  type EventFacts,
  eventFacts,
  instanceSample,
  type ServiceGroup,
} from './event-facts';
import { headline } from './headline';
import { incidentPageUrl } from './incident-link';
import { counted, httpUrl, oneLine, percent, truncate } from './message-text';

/**
 * Email: subject, plain text, HTML and a Message-ID.
 *
 * subject   "[Faultline] <OPEN|RESOLVED|STILL OPEN|CAUSE CHANGED|FAILING AGAIN> <cause key> — <evidence>", one
 *           line, ≤ 200 characters; the evidence is cut first, then the key.
 * text      the headline, the cause with its evidence and confidence (for a change cause "Cause:
 *           <the change> — <evidence>" in place of the evidence; changes a cause bears that its
 *           summary does not name after the summary), the affected services with
 *           instance counts (at most 50, then "…and N more"), what recovered (in place of the
 *           affected list when exactly those recovered), times and the link to the incident's
 *           dashboard page (incidentPageUrl).
 * html      the same content: inline styles and a simple table, no external assets (mail clients
 *           block them), every interpolated value HTML-escaped, and the incident link only when it
 *           is an http(s) URL (an escaped `javascript:` href would still run).
 * messageId `<event.id@faultline>`: event ids are stable per notification, so a resent email keeps
 *           its Message-ID and clients thread or dedupe it. Characters a Message-ID cannot hold are
 *           written as `=XX` (UTF-8 bytes), which keeps distinct ids distinct.
 *
 * Contract: pure and deterministic. Precondition: event.id is not empty (TypeError).
 */

export const EMAIL_SUBJECT_MAX = 200;
/** Services listed before "…and N more": an email may be longer than a chat message, but stays readable. */
export const EMAIL_MAX_SERVICES = 50;

const SUBJECT_LABELS: Record<NotificationKind, string> = {
  opened: 'OPEN',
  resolved: 'RESOLVED',
  repeat: 'STILL OPEN',
  'cause-changed': 'CAUSE CHANGED',
  reopened: 'FAILING AGAIN',
};
const BADGE_COLOURS: Record<NotificationKind, string> = {
  opened: '#c62828',
  resolved: '#2e7d32',
  repeat: '#e65100',
  'cause-changed': '#6a1b9a',
  reopened: '#c62828',
};
// Room in the subject for the key before the evidence gets any.
const SUBJECT_KEY_MAX = 120;
const SUBJECT_EVIDENCE_MIN = 12;

/** An email as rendered from an event: content only; the channel adds recipients and sender. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export function renderEmail(event: NotificationEvent): RenderedEmail {
  if (event.id === '') throw new TypeError('an event id is required: it is the Message-ID');
  const facts = eventFacts(event);
  const subject = emailSubject(event, facts);
  return {
    subject,
    text: emailText(event, facts),
    html: emailHtml(event, facts, subject),
    messageId: `<${messageIdPart(event.id)}@faultline>`,
  };
}

/** &, <, >, " and ': enough for text content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function emailSubject(event: NotificationEvent, facts: EventFacts): string {
  const start = `[Faultline] ${SUBJECT_LABELS[event.kind]} ${truncate(oneLine(facts.cause.key), SUBJECT_KEY_MAX)}`;
  const room = EMAIL_SUBJECT_MAX - start.length - ' — '.length;
  const evidence = oneLine(facts.cause.summary);
  const subject =
    room >= SUBJECT_EVIDENCE_MIN && evidence ? `${start} — ${truncate(evidence, room)}` : start;
  return truncate(subject, EMAIL_SUBJECT_MAX);
}

function emailText(event: NotificationEvent, facts: EventFacts): string {
  const { incident } = event;
  const lines = [
    headline(event),
    '',
    `Status: ${SUBJECT_LABELS[event.kind]} (severity ${event.severity})`,
    `Likely cause: ${oneLine(facts.cause.key)} (${oneLine(facts.cause.kind)}), confidence ${percent(facts.cause.confidence)}`,
  ];
  const change = changeCauseText(event, facts.cause);
  lines.push(
    change !== null ? `Cause: ${change}` : `Evidence: ${evidenceWithChanges(event, facts.cause)}`,
  );
  if (event.kind === 'cause-changed' && incident.previousTopCause)
    lines.push(`Previous cause: ${oneLine(incident.previousTopCause)}`);
  if (facts.otherCauses.length > 0) {
    lines.push(
      'Other candidates:',
      ...facts.otherCauses.map(
        (c) => `  - ${oneLine(c.key)} (${percent(c.confidence)}): ${oneLine(c.summary)}`,
      ),
    );
  }
  if (!facts.recoveredAllAffected)
    lines.push('', affectedTitle(facts), ...groupTextLines(facts.affected));
  if (facts.recovered) lines.push('', recoveredTitle(facts), ...groupTextLines(facts.recovered));
  lines.push('', `Opened: ${oneLine(incident.openedAt)}`);
  if (incident.resolvedAt) lines.push(`Resolved: ${oneLine(incident.resolvedAt)}`);
  lines.push(`Incident: ${oneLine(incidentPageUrl(incident.url))}`, '');
  return lines.join('\n');
}

function affectedTitle(facts: EventFacts): string {
  return `Affected: ${counted(facts.affected.length, 'service')}, ${counted(facts.affectedInstanceCount, 'instance')}`;
}

/** When exactly the affected instances recovered they are listed once, here. */
function recoveredTitle(facts: EventFacts): string {
  const everything = facts.recoveredAllAffected ? ', everything that was affected' : '';
  return `Recovered: ${counted(facts.recoveredInstanceCount, 'instance')} across ${counted(facts.recovered?.length ?? 0, 'service')}${everything}`;
}

function groupTextLines(groups: readonly ServiceGroup[]): string[] {
  const { shown, hidden } = splitShown(groups);
  const lines = shown.map((g) => `  - ${oneLine(describeGroup(g))}`);
  if (hidden.count > 0)
    lines.push(
      `  - …and ${counted(hidden.count, 'more service')} (${counted(hidden.instances, 'instance')})`,
    );
  return lines;
}

function emailHtml(event: NotificationEvent, facts: EventFacts, subject: string): string {
  const { incident } = event;
  const page = incidentPageUrl(incident.url);
  const url = httpUrl(page);
  const parts = [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>' + escapeHtml(subject) + '</title></head>',
    '<body style="margin:0;padding:16px;font-family:Helvetica,Arial,sans-serif;font-size:14px;line-height:1.4;color:#1f2328;background:#ffffff">',
    `<p style="margin:0 0 8px"><span style="display:inline-block;padding:2px 8px;border-radius:3px;color:#ffffff;background:${BADGE_COLOURS[event.kind]};font-weight:bold">${escapeHtml(SUBJECT_LABELS[event.kind])}</span> <span style="color:#57606a">severity ${escapeHtml(event.severity)}</span></p>`,
    `<h2 style="margin:0 0 8px;font-size:18px;word-break:break-all">${escapeHtml(oneLine(facts.cause.key))}</h2>`,
    `<p style="margin:0 0 12px">${escapeHtml(headline(event))}</p>`,
  ];
  const change = changeCauseText(event, facts.cause);
  const likely = `<strong>Likely cause</strong> (${escapeHtml(oneLine(facts.cause.kind))}, confidence ${escapeHtml(percent(facts.cause.confidence))})`;
  parts.push(
    change !== null
      ? `<p style="margin:0 0 12px">${likely}<br><strong>Cause:</strong> ${escapeHtml(change)}</p>`
      : `<p style="margin:0 0 12px">${likely}: ${escapeHtml(evidenceWithChanges(event, facts.cause))}</p>`,
  );
  if (event.kind === 'cause-changed' && incident.previousTopCause) {
    parts.push(
      `<p style="margin:0 0 12px"><strong>Previous cause:</strong> ${escapeHtml(oneLine(incident.previousTopCause))}</p>`,
    );
  }
  if (facts.otherCauses.length > 0) {
    const items = facts.otherCauses.map(
      (c) =>
        `<li>${escapeHtml(oneLine(c.key))} (${escapeHtml(percent(c.confidence))}): ${escapeHtml(oneLine(c.summary))}</li>`,
    );
    parts.push(
      `<p style="margin:0">Other candidates:</p><ul style="margin:4px 0 12px">${items.join('')}</ul>`,
    );
  }
  if (!facts.recoveredAllAffected) parts.push(groupTableHtml(affectedTitle(facts), facts.affected));
  if (facts.recovered) parts.push(groupTableHtml(recoveredTitle(facts), facts.recovered));
  const times = [`Opened ${escapeHtml(oneLine(incident.openedAt))}`];
  if (incident.resolvedAt) times.push(`Resolved ${escapeHtml(oneLine(incident.resolvedAt))}`);
  times.push(`Incident ${escapeHtml(oneLine(incident.id))}`);
  parts.push(
    url !== null
      ? `<p style="margin:16px 0"><a href="${escapeHtml(url)}" style="display:inline-block;padding:8px 14px;border-radius:4px;background:#0969da;color:#ffffff;text-decoration:none">Open incident</a></p>`
      : `<p style="margin:16px 0">Incident link: ${escapeHtml(oneLine(page))}</p>`,
    `<p style="margin:0;color:#57606a;font-size:12px">${times.join(' · ')}</p>`,
    '</body></html>',
    '',
  );
  return parts.join('\n');
}

function groupTableHtml(title: string, groups: readonly ServiceGroup[]): string {
  const { shown, hidden } = splitShown(groups);
  const cell =
    'style="padding:4px 8px;border:1px solid #d0d7de;text-align:left;vertical-align:top"';
  const rows = shown.map((g) => {
    const { names, more } = instanceSample(g);
    const sample =
      names.map((n) => escapeHtml(oneLine(n))).join(', ') + (more > 0 ? ` +${more} more` : '');
    return `<tr><td ${cell}>${escapeHtml(oneLine(g.service))}</td><td ${cell}>${g.instanceCount}</td><td ${cell}>${sample}</td></tr>`;
  });
  if (hidden.count > 0) {
    rows.push(
      `<tr><td ${cell} colspan="3">…and ${escapeHtml(counted(hidden.count, 'more service'))} (${escapeHtml(counted(hidden.instances, 'instance'))})</td></tr>`,
    );
  }
  return [
    `<p style="margin:12px 0 4px"><strong>${escapeHtml(title)}</strong></p>`,
    '<table style="border-collapse:collapse;font-size:13px">',
    `<thead><tr><th ${cell}>Service</th><th ${cell}>Instances</th><th ${cell}>Examples</th></tr></thead>`,
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
  ].join('\n');
}

function splitShown(groups: readonly ServiceGroup[]): {
  shown: readonly ServiceGroup[];
  hidden: { count: number; instances: number };
} {
  const shown = groups.slice(0, EMAIL_MAX_SERVICES);
  const rest = groups.slice(EMAIL_MAX_SERVICES);
  return {
    shown,
    hidden: { count: rest.length, instances: rest.reduce((sum, g) => sum + g.instanceCount, 0) },
  };
}

// RFC 5322 atext without "=", which is the escape character here. Dots are escaped too: dot-atom
// forbids leading, trailing and doubled dots, and escaping them all is simpler than checking.
const MESSAGE_ID_SAFE = /^[A-Za-z0-9!#$%&'*+\-/?^_`{|}~]$/;

function messageIdPart(id: string): string {
  let out = '';
  for (const char of id) {
    out += MESSAGE_ID_SAFE.test(char)
      ? char
      : [...Buffer.from(char, 'utf8')]
          .map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`)
          .join('');
  }
  return out;
}
