import { splitSecrets, validateChannel } from './channel.schema';

const smtp = { host: 'smtp.example.org', port: 587, from: 'alerts@example.org' };
const email = (extra: object) => ({
  type: 'email',
  name: 'mail',
  to: ['a@example.org'],
  smtp: { ...smtp, ...extra },
});

describe('validateChannel: SMTP credentials', () => {
  it('refuses credentials over a session that may stay in clear, naming requireTls', () => {
    for (const body of [
      email({ user: 'u', password: 'p' }),
      email({ user: 'u', password: 'p', secure: false }),
    ])
      expect(validateChannel(body)).toEqual({
        ok: false,
        errors: [{ path: '/smtp/requireTls', reason: expect.stringMatching(/secure/) }],
      });
  });

  it('accepts credentials with STARTTLS required or implicit TLS, and no credentials in clear', () => {
    expect(validateChannel(email({ user: 'u', password: 'p', requireTls: true })).ok).toBe(true);
    expect(validateChannel(email({ user: 'u', password: 'p', secure: true, port: 465 })).ok).toBe(
      true,
    );
    expect(validateChannel(email({ secure: false })).ok).toBe(true);
  });

  it('wants user and password together', () => {
    const result = validateChannel(email({ user: 'u', requireTls: true }));
    expect(result).toMatchObject({ ok: false, errors: [{ path: '/smtp/password' }] });
  });
});

describe('splitSecrets: URLs with credentials', () => {
  it('seals a webhook URL with a token and shows it redacted; keeps a plain one in clear', () => {
    const hook = 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k-1&token=t-2';
    expect(splitSecrets({ type: 'webhook', name: 'w', url: hook })).toEqual({
      settings: { url: 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=***&token=***' },
      secrets: { url: hook },
    });
    expect(
      splitSecrets({
        type: 'webhook',
        name: 'w',
        url: 'https://ops.example.org/hook',
        secret: 's',
      }),
    ).toEqual({
      settings: { url: 'https://ops.example.org/hook' },
      secrets: { secret: 's' },
    });
  });

  it('shows a Slack URL redacted, the whole URL sealed', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX';
    expect(splitSecrets({ type: 'slack', name: 's', url })).toEqual({
      settings: { url: 'https://hooks.slack.com/services/***' },
      secrets: { url },
    });
    expect(
      splitSecrets({ type: 'slack', name: 's', url: 'http://127.0.0.1:9/slack' }).settings,
    ).toEqual({
      url: 'http://127.0.0.1:9/***',
    });
  });

  it('seals a PagerDuty URL with userinfo beside the routing key', () => {
    expect(
      splitSecrets({
        type: 'pagerduty',
        name: 'p',
        routingKey: 'R',
        url: 'https://u:pw@pd.example.org/enqueue',
      }),
    ).toEqual({
      settings: { url: 'https://***@pd.example.org/enqueue' },
      secrets: { routingKey: 'R', url: 'https://u:pw@pd.example.org/enqueue' },
    });
  });
});
