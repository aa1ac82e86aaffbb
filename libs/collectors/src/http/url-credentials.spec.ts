import { hasUrlCredentials, redactUrl } from './url-credentials';

const WEBHOOK = { pathTokens: true };
const POLL = { pathTokens: false };

describe('redactUrl', () => {
  it.each([
    [
      'https://hooks.slack.com/services/T0AAA1111/B0BBB2222/abcdEFGHijklMNOPqrstUVWX',
      'https://hooks.slack.com/services/***',
    ],
    [
      'https://discord.com/api/webhooks/123456789012345678/aBcDeFgHiJkLmNoPqRsTuVwXyZ-0123456789',
      'https://discord.com/api/webhooks/***',
    ],
    [
      'https://contoso.webhook.office.com/webhookb2/0f8fad5b-d9cb-469f-a165-70867728950e@72f988bf/IncomingWebhook/5c2c7b0e/1b4e28ba',
      'https://contoso.webhook.office.com/webhookb2/***',
    ],
    [
      'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=AIzaSyDdI0hCZtE6&token=tok-123',
      'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=***&token=***',
    ],
    [
      'https://prod-00.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers&sv=1.0&sig=s3cr3t',
      'https://prod-00.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers&sv=1.0&sig=***',
    ],
    ['https://user:pa55@hooks.example.com/alert', 'https://***@hooks.example.com/alert'],
    [
      'https://mattermost.example.com/hooks/xyz1234567890abcdefghijklm',
      'https://mattermost.example.com/hooks/***',
    ],
    [
      'https://api.telegram.org/bot123456:ABC-DEF1234ghIkl/sendMessage',
      'https://api.telegram.org/***',
    ],
  ])('seals and shows %s as %s', (url, shown) => {
    expect(redactUrl(url, WEBHOOK)).toBe(shown);
    expect(hasUrlCredentials(url, WEBHOOK)).toBe(true);
  });

  it.each([
    'https://ops.example.com/faultline/alerts',
    'http://127.0.0.1:8080/hook',
    'https://events.pagerduty.com/v2/enqueue',
    'https://hooks.slack.com/',
  ])('leaves %s, which carries no credential, in clear', (url) => {
    expect(redactUrl(url, WEBHOOK)).toBeNull();
  });

  it('for poll targets, judges only userinfo and the query, never a path of ids', () => {
    const withId =
      'https://svc.example.com/api/v1/services/0f8fad5b-d9cb-469f-a165-70867728950e/health';
    expect(redactUrl(withId, POLL)).toBeNull();
    expect(redactUrl('https://svc.example.com/health?verbose=1&access_token=abc', POLL)).toBe(
      'https://svc.example.com/health?verbose=1&access_token=***',
    );
    expect(redactUrl('https://svc.example.com/health?apikey=1&apiKey=2', POLL)).toBe(
      'https://svc.example.com/health?apikey=***&apiKey=***',
    );
  });

  it('never repeats the credential, whatever its spelling', () => {
    const shown = redactUrl(
      'https://x.example.com/h?Token=a%20b+c&PASSWORD=hunter2&token=dup',
      POLL,
    );
    expect(shown).not.toMatch(/a%20b|hunter2|dup/);
  });

  it('answers null for what is not a URL', () => {
    expect(redactUrl('not a url', WEBHOOK)).toBeNull();
  });
});
