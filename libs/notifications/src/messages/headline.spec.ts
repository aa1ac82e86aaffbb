import { headline, HEADLINE_MAX } from './headline';
import { openedEvent, reopenedEvent, resolvedEvent, stormEvent } from './spec-support';

describe('headline', () => {
  it('names the cause, its evidence, its confidence and the spread', () => {
    expect(headline(openedEvent())).toBe(
      'backend:amqp://rabbit-1:5672 is the likely cause: 18 of 18 dependents lost it within 4 s (confidence 93 %); 2 services, 5 instances affected',
    );
    expect(headline(stormEvent('repeat'))).toMatch(/; 20 services, 500 instances affected$/);
  });

  it('says what recovered and after how long once resolved', () => {
    expect(headline(resolvedEvent())).toBe(
      'Resolved: backend:amqp://rabbit-1:5672 (12 min 30 s), 5 instances recovered',
    );
    const unknown = resolvedEvent();
    unknown.incident.resolvedAt = null;
    expect(headline(unknown)).toBe(
      'Resolved: backend:amqp://rabbit-1:5672 (duration unknown), 5 instances recovered',
    );
  });

  it('says a reopened incident is failing again, flapping, with its cycle when known', () => {
    expect(headline(reopenedEvent(3))).toBe(
      'backend:amqp://rabbit-1:5672 is failing again (flapping, cycle 3): 18 of 18 dependents lost it within 4 s (confidence 93 %); 2 services, 5 instances affected',
    );
    expect(headline(reopenedEvent())).toMatch(/^\S+ is failing again \(flapping\): /);
  });

  it('stays one bounded line whatever the cause text', () => {
    const event = openedEvent({
      incident: {
        rootCauses: [
          {
            key: `backend:http://${'h'.repeat(3000)}:80`,
            kind: 'backend',
            confidence: 1,
            summary: 'line 1\nline 2 '.repeat(200),
          },
        ],
      },
    });
    const line = headline(event);
    expect(line).not.toMatch(/[\r\n]/);
    expect(line.length).toBeLessThanOrEqual(HEADLINE_MAX);
    expect(line).toMatch(/\(confidence 100 %\); 2 services, 5 instances affected$/);
  });
});
