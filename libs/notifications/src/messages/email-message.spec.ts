import { EMAIL_SUBJECT_MAX, escapeHtml, renderEmail } from './email-message';
import {
  configEvidenceEvent,
  deployEvent,
  openedEvent,
  PAGE_URL,
  RABBIT,
  resolvedEvent,
  SERVICE_COUNT,
  serviceName,
  stormEvent,
} from './spec-support';

const occurrences = (text: string, word: string): number => text.split(word).length - 1;

describe('renderEmail', () => {
  it.each([
    ['opened', 'OPEN'],
    ['repeat', 'STILL OPEN'],
    ['cause-changed', 'CAUSE CHANGED'],
    ['resolved', 'RESOLVED'],
    ['reopened', 'FAILING AGAIN'],
  ] as const)(
    'labels a %s event %s in the subject, with the cause and its evidence',
    (kind, label) => {
      expect(renderEmail(stormEvent(kind)).subject).toBe(
        `[Faultline] ${label} ${RABBIT} — 18 of 18 dependents lost it within 4 s`,
      );
    },
  );

  it('keeps the subject one line of at most 200 characters', () => {
    const event = openedEvent({
      incident: {
        rootCauses: [
          {
            key: `backend:http://${'h'.repeat(400)}\n:80`,
            kind: 'backend',
            confidence: 1,
            summary: 'a\r\nb '.repeat(100),
          },
        ],
      },
    });
    const { subject } = renderEmail(event);
    expect(subject.length).toBeLessThanOrEqual(EMAIL_SUBJECT_MAX);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toMatch(/^\[Faultline\] OPEN backend:http:\/\/h+…/);
    const short = renderEmail(
      openedEvent({
        incident: {
          rootCauses: [{ key: RABBIT, kind: 'backend', confidence: 1, summary: 'x'.repeat(500) }],
        },
      }),
    ).subject;
    expect(short).toHaveLength(EMAIL_SUBJECT_MAX);
    expect(short.endsWith('x…')).toBe(true);
  });

  it('groups a 500-instance storm: each service once with its count, a few names, never a line per instance', () => {
    const { text, html } = renderEmail(stormEvent());
    for (let i = 0; i < SERVICE_COUNT; i++) {
      expect(occurrences(text, serviceName(i))).toBe(1);
      expect(text).toContain(`  - ${serviceName(i)}: 25 instances (`);
      expect(occurrences(html, `>${serviceName(i)}<`)).toBe(1);
    }
    expect(text).toContain('Affected: 20 services, 500 instances');
    expect(occurrences(text, 'pod-')).toBe(SERVICE_COUNT * 3);
    expect(text.split('\n').length).toBeLessThan(50);
    // People are sent to the dashboard's page, not to the API's JSON.
    expect(text).toContain(`Incident: ${PAGE_URL}`);
    expect(html).toContain(`<a href="${PAGE_URL}"`);
    expect(`${text}${html}`).not.toContain('/api/v1/');
  });

  it('HTML-escapes every interpolated value, a malicious service name included', () => {
    const evil = '<script>alert(1)</script>';
    const event = openedEvent({
      incident: {
        affected: {
          services: [evil],
          instances: [`instance:${evil}/"><img src=x onerror=alert(2)>`],
        },
        rootCauses: [
          {
            key: `service:${evil}`,
            kind: 'service',
            confidence: 0.9,
            summary: `'quoted' & <b>bold</b>`,
          },
        ],
        url: 'https://faultline.example.com/incidents/1?a=1&b="2"',
      },
    });
    const { html, text } = renderEmail(event);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&#39;quoted&#39; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('href="https://faultline.example.com/incidents/1?a=1&amp;b=%222%22"');
    // The plain text part is text: it shows the name as it is.
    expect(text).toContain(`  - ${evil}: 1 instance (`);
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });

  it('links the incident only when its URL is http(s)', () => {
    const { html } = renderEmail(openedEvent({ incident: { url: 'javascript:alert(1)' } }));
    expect(html).not.toContain('href=');
    expect(html).toContain('Incident link: javascript:alert(1)');
  });

  it('has no external assets', () => {
    const { html } = renderEmail(stormEvent());
    expect(html).not.toMatch(/<img|<link|<script|src=|url\(/i);
  });

  it('says what recovered once resolved, and how long it lasted', () => {
    const { text, html } = renderEmail(resolvedEvent());
    expect(text.split('\n')[0]).toBe(`Resolved: ${RABBIT} (12 min 30 s), 5 instances recovered`);
    expect(text).toContain(
      'Recovered: 5 instances across 2 services, everything that was affected\n  - cinder-volume: 2 instances (cv-1, cv-2)\n  - nova-api: 3 instances (nova-api-1, nova-api-2, nova-api-3)',
    );
    expect(text).not.toContain('Affected:');
    expect(text).toContain('Resolved: 2025-03-01T10:12:30.000Z');
    expect(html).toContain(
      'Recovered: 5 instances across 2 services, everything that was affected',
    );

    const partial = resolvedEvent();
    partial.incident.recovered = [{ service: 'cinder-volume', instances: ['cv-2'] }];
    const partialText = renderEmail(partial).text;
    expect(partialText).toContain('Affected: 2 services, 5 instances');
    expect(partialText).toContain(
      'Recovered: 1 instance across 1 service\n  - cinder-volume: 1 instance (cv-2)',
    );
  });

  it('names the previous cause when the cause changed', () => {
    const { text, html } = renderEmail(stormEvent('cause-changed'));
    expect(text).toContain('Previous cause: host:rabbit-1');
    expect(html).toContain('<strong>Previous cause:</strong> host:rabbit-1');
  });

  it('derives a Message-ID from the event id, escaping what a Message-ID cannot hold', () => {
    expect(renderEmail(openedEvent({ id: 'inc-1-opened' })).messageId).toBe(
      '<inc-1-opened@faultline>',
    );
    expect(renderEmail(openedEvent({ id: 'inc-1:opened <x>@y.z' })).messageId).toBe(
      '<inc-1=3Aopened=20=3Cx=3E=40y=2Ez@faultline>',
    );
    expect(renderEmail(openedEvent({ id: 'a=3A' })).messageId).not.toBe(
      renderEmail(openedEvent({ id: 'a:' })).messageId,
    );
    expect(() => renderEmail(openedEvent({ id: '' }))).toThrow(TypeError);
  });

  it('is deterministic', () => {
    expect(renderEmail(stormEvent())).toEqual(renderEmail(structuredClone(stormEvent())));
  });

  it('names a change that is the top cause and the changes in the evidence, in text and escaped HTML', () => {
    const deploy = renderEmail(deployEvent({ source: '<b>ci</b>' }));
    expect(deploy.text).toContain(
      'Likely cause: change:deploy-4411 (change), confidence 90 %\n' +
        'Cause: billing deployed v2.3.1 at 12:00:05 UTC (<b>ci</b>) — 3 of 3 instances began failing 40 s later\n' +
        'Other candidates:\n',
    );
    expect(deploy.html).toContain(
      '<p style="margin:0 0 12px"><strong>Likely cause</strong> (change, confidence 90 %)<br><strong>Cause:</strong> billing deployed v2.3.1 at 12:00:05 UTC (&lt;b&gt;ci&lt;/b&gt;) — 3 of 3 instances began failing 40 s later</p>',
    );
    expect(deploy.html).not.toContain('<b>ci');
    const config = renderEmail(configEvidenceEvent());
    expect(config.text).toContain(
      'Evidence: 18 of 18 dependents lost it within 4 s; reconfigured 2 min before (config v42, argo)\n',
    );
    expect(config.text).not.toContain('Cause:');
    expect(config.html).toContain(
      '18 of 18 dependents lost it within 4 s; reconfigured 2 min before (config v42, argo)</p>',
    );
  });
});
