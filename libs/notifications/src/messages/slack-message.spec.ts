import type { NotificationEvent } from '../notification.model';
import { escapeSlackText, renderSlack, SLACK_LIMITS } from './slack-message';
import {
  configEvidenceEvent,
  deployEvent,
  openedEvent,
  PAGE_URL,
  reopenedEvent,
  resolvedEvent,
  serviceName,
  stormEvent,
} from './spec-support';

interface Block {
  type: string;
  text?: { type: string; text: string };
  elements?: { type: string; text?: unknown; url?: string }[];
}

const blocksOf = (event: NotificationEvent): Block[] => renderSlack(event).blocks as Block[];
const headerOf = (event: NotificationEvent): string =>
  blocksOf(event).find((b) => b.type === 'header')!.text!.text;
/** Every mrkdwn text of a message: sections and context elements. */
const mrkdwnOf = (blocks: Block[]): string[] => [
  ...blocks.filter((b) => b.type === 'section').map((b) => b.text!.text),
  ...blocks
    .filter((b) => b.type === 'context')
    .flatMap((b) => b.elements!.map((e) => e.text as string)),
];
const sectionWith = (blocks: Block[], title: string): string =>
  mrkdwnOf(blocks).find((t) => t.startsWith(title))!;

describe('renderSlack', () => {
  it.each([
    ['opened', '🔴 Incident: backend:amqp://rabbit-1:5672'],
    ['repeat', '🔁 Still open: backend:amqp://rabbit-1:5672'],
    ['cause-changed', '↪️ Cause changed: backend:amqp://rabbit-1:5672'],
  ] as const)('heads a %s event with the cause key', (kind, header) => {
    expect(headerOf(openedEvent({ kind }))).toBe(header);
  });

  it('names the cause with its evidence and confidence, lists services with instance counts, and links the incident', () => {
    const { text, blocks } = renderSlack(openedEvent());
    expect(text).toBe(
      'backend:amqp://rabbit-1:5672 is the likely cause: 18 of 18 dependents lost it within 4 s (confidence 93 %); 2 services, 5 instances affected',
    );
    expect(sectionWith(blocks as Block[], '*Likely cause:*')).toBe(
      '*Likely cause:* `backend:amqp://rabbit-1:5672` (backend), confidence *93 %*\n18 of 18 dependents lost it within 4 s\n_Other candidates:_ `host:rabbit-1` (41 %)',
    );
    expect(sectionWith(blocks as Block[], '*Affected')).toBe(
      '*Affected: 2 services, 5 instances*\n• `cinder-volume` — 2 instances: cv-1, cv-2\n• `nova-api` — 3 instances: nova-api-1, nova-api-2, nova-api-3',
    );
    const actions = (blocks as Block[]).find((b) => b.type === 'actions')!;
    expect(actions.elements![0]).toMatchObject({
      type: 'button',
      url: PAGE_URL,
    });
    const context = mrkdwnOf(blocks as Block[]).at(-1)!;
    expect(context).toContain(
      'Opened <!date^1740823200^{date_short_pretty} {time_secs}|2025-03-01T10:00:00.000Z>',
    );
  });

  it('groups a 500-instance storm within Slack limits: 15 services, then how many more', () => {
    const { text, blocks } = renderSlack(stormEvent());
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(headerOf(stormEvent()).length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    for (const t of [text, ...mrkdwnOf(blocks as Block[])])
      expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    const affected = sectionWith(blocks as Block[], '*Affected');
    const lines = affected.split('\n');
    expect(lines[0]).toBe('*Affected: 20 services, 500 instances*');
    expect(lines.slice(1, 16)).toEqual(
      Array.from({ length: 15 }, (_, i) =>
        expect.stringMatching(
          new RegExp(
            `^• \`${serviceName(i)}\` — 25 instances: pod-\\d{4}, pod-\\d{4}, pod-\\d{4} \\+22 more$`,
          ),
        ),
      ),
    );
    expect(lines[16]).toBe('_…and 5 more services (125 instances)_');
    expect(lines).toHaveLength(17);
    // Grouped, never one line per instance: 3 sample names for each of the 15 shown services.
    expect(JSON.stringify(blocks).match(/pod-\d{4}/g)).toHaveLength(45);
  });

  it('stays within limits when every name is as long as the report schema allows', () => {
    const long = (i: number) => `${'&'.repeat(150)}${String(i).padStart(50, '0')}`;
    const services = Array.from({ length: 40 }, (_, i) => long(i));
    const instances = services.flatMap((s) =>
      Array.from({ length: 10 }, (_, j) => `instance:${s}/${'<'.repeat(190)}${j}`),
    );
    const event = openedEvent({
      incident: {
        affected: { services, instances },
        rootCauses: [
          {
            key: `backend:http://${'x'.repeat(2000)}:80`,
            kind: 'backend',
            confidence: 0.5,
            summary: '>'.repeat(5000),
          },
        ],
      },
    });
    const { text, blocks } = renderSlack(event);
    expect(headerOf(event).length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    for (const t of [text, ...mrkdwnOf(blocks as Block[])]) {
      expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
      expect(t).not.toMatch(/&(?!amp;|lt;|gt;)/); // no entity cut in half, no bare &
    }
    expect(sectionWith(blocks as Block[], '*Affected')).toMatch(
      /_…and \d+ more services \(\d+ instances\)_$/,
    );
  });

  it("escapes &, < and > in mrkdwn per Slack's rules, so names cannot mention or link", () => {
    const event = openedEvent({
      incident: {
        affected: {
          services: ['<!channel> & co'],
          instances: ['instance:<!channel> & co/<@U123>'],
        },
        rootCauses: [
          {
            key: 'service:<!channel> & co',
            kind: 'service',
            confidence: 0.8,
            summary: 'see <http://evil|here> & *now*',
          },
        ],
      },
    });
    const { text, blocks } = renderSlack(event);
    const all = [text, ...mrkdwnOf(blocks as Block[])].join('\n');
    expect(all).not.toMatch(/<!channel>|<@U123>|<http:\/\/evil/);
    expect(sectionWith(blocks as Block[], '*Likely cause:*')).toContain(
      '`service:&lt;!channel&gt; &amp; co`',
    );
    expect(sectionWith(blocks as Block[], '*Likely cause:*')).toContain(
      'see &lt;http://evil|here&gt; &amp; *now*',
    );
    expect(sectionWith(blocks as Block[], '*Affected')).toContain(
      '• `&lt;!channel&gt; &amp; co` — 1 instance: &lt;@U123&gt;',
    );
    expect(escapeSlackText('a & <b>')).toBe('a &amp; &lt;b&gt;');
  });

  it('shows the previous cause when the cause changed', () => {
    const blocks = blocksOf(stormEvent('cause-changed'));
    expect(sectionWith(blocks, '*Previous cause:*')).toBe(
      '*Previous cause:* `host:rabbit-1`, now `backend:amqp://rabbit-1:5672`',
    );
  });

  it('says what recovered once resolved, grouped per service, and when', () => {
    const event = resolvedEvent();
    const { text, blocks } = renderSlack(event);
    expect(headerOf(event)).toBe('✅ Resolved: backend:amqp://rabbit-1:5672');
    expect(text).toBe(
      'Resolved: backend:amqp://rabbit-1:5672 (12 min 30 s), 5 instances recovered',
    );
    expect(sectionWith(blocks as Block[], '*Recovered')).toBe(
      '*Recovered: 5 instances across 2 services, everything that was affected*\n• `cinder-volume` — 2 instances: cv-1, cv-2\n• `nova-api` — 3 instances: nova-api-1, nova-api-2, nova-api-3',
    );
    // Exactly the affected instances recovered: listed once, not twice.
    expect(sectionWith(blocks as Block[], '*Affected')).toBeUndefined();
    expect(mrkdwnOf(blocks as Block[]).at(-1)).toContain('Resolved <!date^1740823950^');
  });

  it('lists affected and recovered apart when only some instances recovered', () => {
    const event = resolvedEvent();
    event.incident.recovered = [{ service: 'nova-api', instances: ['nova-api-1'] }];
    const blocks = blocksOf(event);
    expect(sectionWith(blocks, '*Affected')).toMatch(/^\*Affected: 2 services, 5 instances\*\n/);
    expect(sectionWith(blocks, '*Recovered')).toBe(
      '*Recovered: 1 instance across 1 service*\n• `nova-api` — 1 instance: nova-api-1',
    );
  });

  it('puts a non-http URL in the text instead of a button Slack would refuse', () => {
    const blocks = blocksOf(openedEvent({ incident: { url: 'javascript:alert(1)' } }));
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(mrkdwnOf(blocks).at(-1)).toContain('Link: javascript:alert(1)');
  });

  it('is deterministic and does not depend on the order the event lists things in', () => {
    const event = stormEvent();
    const shuffled = structuredClone(event);
    shuffled.incident.affected.services.sort();
    shuffled.incident.affected.instances.sort();
    expect(renderSlack(structuredClone(event))).toEqual(renderSlack(event));
    expect(renderSlack(shuffled)).toEqual(renderSlack(event));
  });

  it('says a reopened incident is failing again, flapping, in the header, a section and the fallback', () => {
    const event = reopenedEvent(3);
    expect(headerOf(event)).toBe('🔴 Failing again: backend:amqp://rabbit-1:5672');
    expect(mrkdwnOf(blocksOf(event))).toContain(
      '*Failing again* after it resolved: flapping, cycle 3',
    );
    expect(renderSlack(event).text).toMatch(/is failing again \(flapping, cycle 3\)/);
    expect(blocksOf(event).length).toBeLessThanOrEqual(6);
  });

  it('names a change that is the top cause, and the changes in the evidence, escaped', () => {
    expect(sectionWith(blocksOf(deployEvent()), '*Likely cause:*')).toBe(
      '*Likely cause:* `change:deploy-4411` (change), confidence *90 %*\n' +
        '*Cause:* billing deployed v2.3.1 at 12:00:05 UTC (ci) — 3 of 3 instances began failing 40 s later\n' +
        '_Other candidates:_ `service:billing` (60 %)',
    );
    expect(sectionWith(blocksOf(configEvidenceEvent()), '*Likely cause:*')).toBe(
      '*Likely cause:* `backend:amqp://rabbit-1:5672` (backend), confidence *93 %*\n' +
        '18 of 18 dependents lost it within 4 s; reconfigured 2 min before (config v42, argo)\n' +
        '_Other candidates:_ `host:rabbit-1` (41 %)',
    );
    const hostile = sectionWith(
      blocksOf(deployEvent({ version: '<!channel> & <https://evil|x>' })),
      '*Likely cause:*',
    );
    expect(hostile).toContain('deployed &lt;!channel&gt; &amp; &lt;https://evil|x&gt; at');
    expect(hostile).not.toContain('<!channel>');
  });
});
