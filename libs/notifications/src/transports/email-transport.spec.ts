// Real SMTP servers (smtp-server) and raw TCP servers on 127.0.0.1, started per test. STARTTLS and
// implicit TLS use smtp-server's built-in self-signed certificate for localhost.
import * as net from 'node:net';

import type { HostnameResolver } from '@faultline/collectors';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

import {
  EmailDeliveryError,
  EmailTransport,
  type OutgoingEmail,
  type SmtpSettings,
} from './email-transport';

interface ReceivedMail {
  raw: string;
  mailFrom: string;
  rcptTo: string[];
  secure: boolean;
}

interface RunningSmtp {
  port: number;
  received: ReceivedMail[];
}

const closers: Array<() => Promise<void>> = [];
const transports: EmailTransport[] = [];

/** An smtp-server on 127.0.0.1 that keeps every message it accepts; `options` adjust it. */
async function smtpServer(options: SMTPServerOptions = {}): Promise<RunningSmtp> {
  const handle: RunningSmtp = { port: 0, received: [] };
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 50,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        handle.received.push({
          raw: Buffer.concat(chunks).toString('utf8'),
          mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((recipient) => recipient.address),
          secure: session.secure,
        });
        callback();
      });
    },
    ...options,
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  handle.port = (server.server.address() as net.AddressInfo).port;
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return handle;
}

/** A TCP server that accepts and never says a word: no greeting ever comes. */
async function silentServer(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function transportFor(port: number, settings: Partial<SmtpSettings> = {}, timeoutMs = 2_000) {
  const transport = new EmailTransport(
    {
      host: '127.0.0.1',
      port,
      secure: false,
      from: 'Faultline <alerts@faultline.test>',
      ...settings,
    },
    { timeoutMs },
  );
  transports.push(transport);
  return transport;
}

function rejectingRecipient(responseCode: number, rejected = 'nobody@example.test') {
  return (
    address: { address: string },
    _session: SMTPServerSession,
    callback: (error?: Error | null) => void,
  ): void => {
    if (address.address !== rejected) return callback();
    const error = Object.assign(new Error(`No such user here: ${address.address}`), {
      responseCode,
    });
    callback(error);
  };
}

const MESSAGE: OutgoingEmail = {
  to: ['oncall@example.test', 'Team Lead <lead@example.test>'],
  subject: '[critical] db-primary is down',
  text: 'Root cause: db-primary (host). Affected: checkout, billing.',
  html: '<p>Root cause: <b>db-primary</b> (host).</p>',
  messageId: '<evt-42.opened@faultline>',
};

async function deliveryErrorOf(pending: Promise<unknown>): Promise<EmailDeliveryError> {
  const outcome = await pending.then(
    () => new Error('expected the send to fail'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof EmailDeliveryError)) throw outcome;
  return outcome;
}

/** Header fields of a raw RFC 5322 message, unfolded, names lower-cased (first value wins). */
function headersOf(raw: string): Map<string, string> {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const fields = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  return fields;
}

/** The MIME parts of a multipart body as [content type, decoded-enough content]. */
function partsOf(raw: string): Array<{ type: string; content: string }> {
  const boundary = /boundary="?([^";]+)"?/.exec(headersOf(raw).get('content-type') ?? '')?.[1];
  if (boundary === undefined) return [];
  return raw
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const separator = part.indexOf('\r\n\r\n');
      const type = headersOf(part.replace(/^\r\n/, '')).get('content-type') ?? '';
      return { type: type.split(';')[0], content: part.slice(separator + 4).trim() };
    });
}

afterEach(async () => {
  for (const transport of transports.splice(0)) transport.close();
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('EmailTransport: delivery', () => {
  it('delivers subject, text and html parts, the given Message-ID, From and To', async () => {
    const server = await smtpServer();

    const result = await transportFor(server.port).send(MESSAGE);

    expect(result).toEqual({
      messageId: '<evt-42.opened@faultline>',
      accepted: ['oncall@example.test', 'lead@example.test'],
      rejected: [],
    });
    expect(server.received).toHaveLength(1);
    const [mail] = server.received;
    expect(mail.mailFrom).toBe('alerts@faultline.test');
    expect(mail.rcptTo).toEqual(['oncall@example.test', 'lead@example.test']);

    const headers = headersOf(mail.raw);
    expect(headers.get('subject')).toBe('[critical] db-primary is down');
    expect(headers.get('message-id')).toBe('<evt-42.opened@faultline>');
    expect(headers.get('from')).toBe('Faultline <alerts@faultline.test>');
    expect(headers.get('to')).toBe('oncall@example.test, Team Lead <lead@example.test>');
    expect(headers.get('auto-submitted')).toBe('auto-generated');
    expect(headers.get('content-type')).toMatch(/^multipart\/alternative;/);
    expect(partsOf(mail.raw)).toEqual([
      { type: 'text/plain', content: MESSAGE.text },
      { type: 'text/html', content: MESSAGE.html },
    ]);
  });

  it('logs in with the configured user and password when the server offers AUTH', async () => {
    const logins: Array<{ username: string; password: string }> = [];
    const server = await smtpServer({
      authOptional: false,
      disabledCommands: [],
      onAuth(auth, _session, callback) {
        logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
        callback(null, { user: auth.username });
      },
    });

    await transportFor(server.port, {
      user: 'mailer',
      password: 'p4ss-w0rd',
      requireTls: true,
      tlsVerify: false,
    }).send(MESSAGE);

    expect(logins).toEqual([{ username: 'mailer', password: 'p4ss-w0rd' }]);
    expect(server.received).toHaveLength(1);
  });

  it('resolves with the refused recipient apart when the server takes the message for the others', async () => {
    const server = await smtpServer({ onRcptTo: rejectingRecipient(550) });

    const result = await transportFor(server.port).send({
      ...MESSAGE,
      to: ['oncall@example.test', 'nobody@example.test'],
    });

    expect(result).toMatchObject({
      accepted: ['oncall@example.test'],
      rejected: ['nobody@example.test'],
    });
    expect(server.received[0].rcptTo).toEqual(['oncall@example.test']);
  });
});

describe('EmailTransport: failures', () => {
  it('reports 550 to RCPT as permanent and sends no message', async () => {
    const server = await smtpServer({ onRcptTo: rejectingRecipient(550) });

    const failure = await deliveryErrorOf(
      transportFor(server.port).send({ ...MESSAGE, to: ['nobody@example.test'] }),
    );

    expect(failure.permanent).toBe(true);
    expect(failure.message).toContain(`127.0.0.1:${server.port}`);
    expect(failure.message).toContain('550');
    expect(server.received).toHaveLength(0);
  });

  it('reports a message refused after DATA with 554 as permanent', async () => {
    const server = await smtpServer({
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Spam'), { responseCode: 554 })));
      },
    });

    const failure = await deliveryErrorOf(transportFor(server.port).send(MESSAGE));

    expect(failure.permanent).toBe(true);
    expect(failure.message).toContain('554');
  });

  it.each([451, 452, 503])('reports %i to RCPT as transient', async (responseCode) => {
    const server = await smtpServer({ onRcptTo: rejectingRecipient(responseCode) });

    const failure = await deliveryErrorOf(
      transportFor(server.port).send({ ...MESSAGE, to: ['nobody@example.test'] }),
    );

    expect(failure.permanent).toBe(false);
    expect(failure.message).toContain(String(responseCode));
  });

  it('reports a refused connection as transient', async () => {
    const port = await closedPort();

    const failure = await deliveryErrorOf(transportFor(port).send(MESSAGE));

    expect(failure.permanent).toBe(false);
    expect(failure.message).toContain(`127.0.0.1:${port}`);
  });

  it('reports a server that never greets as a transient timeout within the deadline', async () => {
    const port = await silentServer();
    const startedAt = Date.now();

    const failure = await deliveryErrorOf(transportFor(port, {}, 300).send(MESSAGE));

    expect(failure.permanent).toBe(false);
    expect(failure.message).toContain('300 ms');
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('reports a server that stalls after the body as a transient timeout', async () => {
    const server = await smtpServer({
      onData(stream) {
        stream.resume(); // Takes the body, never answers it.
      },
    });

    const failure = await deliveryErrorOf(transportFor(server.port, {}, 300).send(MESSAGE));

    expect(failure.permanent).toBe(false);
  });

  it('reports refused credentials as permanent without the password in the message', async () => {
    const password = 'Sup3r-s3cret!';
    const server = await smtpServer({
      authOptional: false,
      disabledCommands: [],
      onAuth(auth, _session, callback) {
        // A careless server that echoes what it got: the password must still not come through.
        const reply = `Invalid login ${auth.username ?? ''} / ${auth.password ?? ''}`;
        callback(Object.assign(new Error(reply), { responseCode: 535 }));
      },
    });

    const failure = await deliveryErrorOf(
      transportFor(server.port, {
        user: 'mailer',
        password,
        requireTls: true,
        tlsVerify: false,
      }).send(MESSAGE),
    );

    expect(failure.permanent).toBe(true);
    expect(failure.message).toContain('535');
    for (const secret of [
      password,
      Buffer.from(password).toString('base64'),
      Buffer.from(`\u0000mailer\u0000${password}`).toString('base64'),
    ]) {
      expect(failure.message).not.toContain(secret);
    }
    expect(JSON.stringify(failure)).not.toContain(password);
  });

  it('fails sends in flight on close() as transient, and sends again afterwards', async () => {
    let stall = true;
    const server = await smtpServer({
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => {
          if (!stall) callback();
        });
      },
    });
    const transport = transportFor(server.port);

    const inFlight = transport.send(MESSAGE);
    await new Promise((resolve) => setTimeout(resolve, 100));
    transport.close();
    const failure = await deliveryErrorOf(inFlight);

    expect(failure.permanent).toBe(false);
    expect(failure.message).toContain('closed');
    stall = false;
    await expect(transport.send(MESSAGE)).resolves.toMatchObject({ messageId: MESSAGE.messageId });
  });
});

describe('EmailTransport: TLS', () => {
  it('refuses to send without STARTTLS when requireTls is set', async () => {
    const server = await smtpServer();

    const failure = await deliveryErrorOf(
      transportFor(server.port, { requireTls: true }).send(MESSAGE),
    );

    // The server answers STARTTLS with 500: a 5xx, and resending will not change it.
    expect(failure).toMatchObject({
      permanent: true,
      message: expect.stringContaining('STARTTLS'),
    });
    expect(server.received).toHaveLength(0);
  });

  it('upgrades with STARTTLS when offered, and verifies the certificate by default', async () => {
    const server = await smtpServer({ disabledCommands: [] });

    const failure = await deliveryErrorOf(transportFor(server.port).send(MESSAGE));
    expect(failure.permanent).toBe(false);
    expect(server.received).toHaveLength(0);

    await transportFor(server.port, { requireTls: true, tlsVerify: false }).send(MESSAGE);
    expect(server.received).toHaveLength(1);
    expect(server.received[0].secure).toBe(true);
  });

  it('speaks implicit TLS when secure is set', async () => {
    const server = await smtpServer({ secure: true, disabledCommands: [] });

    await transportFor(server.port, { secure: true, tlsVerify: false }).send(MESSAGE);

    expect(server.received).toHaveLength(1);
    expect(server.received[0].secure).toBe(true);
  });
});

describe('EmailTransport: credentials only over TLS', () => {
  it('refuses for good to send credentials over a session that may stay in clear, connecting nowhere', async () => {
    const logins: string[] = [];
    const connections: string[] = [];
    const server = await smtpServer({
      allowInsecureAuth: true,
      onConnect(session, callback) {
        connections.push(session.remoteAddress);
        callback();
      },
      onAuth(auth, _session, callback) {
        logins.push(auth.password ?? '');
        callback(null, { user: auth.username });
      },
    });

    const failure = await deliveryErrorOf(
      transportFor(server.port, { user: 'mailer', password: 'in-clear-pw' }).send(MESSAGE),
    );

    expect(failure).toMatchObject({
      permanent: true,
      message: expect.stringMatching(/requireTls/),
    });
    expect(failure.message).not.toContain('in-clear-pw');
    expect(connections).toEqual([]);
    expect(logins).toEqual([]);
    expect(server.received).toHaveLength(0);
  });

  it('sends credentials with implicit TLS', async () => {
    const logins: string[] = [];
    const server = await smtpServer({
      secure: true,
      disabledCommands: [],
      authOptional: false,
      onAuth(auth, _session, callback) {
        logins.push(auth.username ?? '');
        callback(null, { user: auth.username });
      },
    });

    await transportFor(server.port, {
      secure: true,
      tlsVerify: false,
      user: 'mailer',
      password: 'pw',
    }).send(MESSAGE);

    expect(logins).toEqual(['mailer']);
  });
});

describe('EmailTransport: address policy', () => {
  /** A resolver with fixed answers, as dns.lookup({ all: true }) gives them. */
  const fixed =
    (answers: Record<string, string[]>): HostnameResolver =>
    (hostname, _options, callback) => {
      const addresses = answers[hostname];
      if (!addresses) {
        callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
        return;
      }
      callback(
        null,
        addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 })),
      );
    };

  function transportTo(
    host: string,
    settings: Partial<SmtpSettings> = {},
    lookup?: HostnameResolver,
  ) {
    const transport = new EmailTransport(
      { host, port: 25, secure: false, from: 'alerts@faultline.test', ...settings },
      { timeoutMs: 500, ...(lookup ? { lookup } : {}) },
    );
    transports.push(transport);
    return transport;
  }

  it.each(['169.254.169.254', '100.100.100.200', '192.0.0.192', '[fd20:ce::254]', 'fd00:ec2::254'])(
    'refuses for good the metadata address %s as SMTP host, without connecting',
    async (host) => {
      const failure = await deliveryErrorOf(transportTo(host).send(MESSAGE));

      expect(failure).toMatchObject({
        permanent: true,
        message: expect.stringContaining('blocked-address'),
      });
    },
  );

  it('refuses a host name that resolves to a metadata address, and connects to the checked address otherwise', async () => {
    const server = await smtpServer();
    const lookup = fixed({
      'metadata.test': ['10.0.0.5', '169.254.169.254'],
      'mail.test': ['127.0.0.1'],
    });

    const failure = await deliveryErrorOf(
      transportTo('metadata.test', { port: server.port }, lookup).send(MESSAGE),
    );
    expect(failure).toMatchObject({
      permanent: true,
      message: expect.stringMatching(/blocked-address.*169\.254\.169\.254/),
    });

    await transportTo('mail.test', { port: server.port }, lookup).send(MESSAGE);
    expect(server.received).toHaveLength(1);
  });

  it('lets a link-local host through when the channel allows it (then it is only the network that fails)', async () => {
    const failure = await deliveryErrorOf(
      transportTo('169.254.169.254', { allowLinkLocal: true }, fixed({})).send(MESSAGE),
    );

    expect(failure.message).not.toContain('blocked-address');
    expect(failure.permanent).toBe(false);
  });

  it('reports a host name that does not resolve as transient', async () => {
    const failure = await deliveryErrorOf(transportTo('nowhere.test', {}, fixed({})).send(MESSAGE));

    expect(failure).toMatchObject({ permanent: false, message: expect.stringContaining('dns') });
  });
});

describe('EmailTransport: programming errors', () => {
  it('rejects a message without recipients or with a malformed Message-ID', async () => {
    const transport = transportFor(25);

    await expect(transport.send({ ...MESSAGE, to: [] })).rejects.toThrow(TypeError);
    for (const messageId of [
      'evt-42@faultline',
      '<evt 42@faultline>',
      '<evt-42@faultline>\r\nBcc: x@y',
    ]) {
      await expect(transport.send({ ...MESSAGE, messageId })).rejects.toThrow(TypeError);
    }
  });

  it('refuses settings that cannot work, naming no secret', () => {
    const base: SmtpSettings = { host: 'smtp.test', port: 587, secure: false, from: 'a@b.test' };

    expect(() => new EmailTransport({ ...base, user: 'mailer' })).toThrow(TypeError);
    expect(() => new EmailTransport({ ...base, password: 'only-secret' })).toThrow(
      /^SMTP user and password must be set together$/,
    );
    expect(() => new EmailTransport({ ...base, port: 0 })).toThrow(RangeError);
    expect(() => new EmailTransport(base, { timeoutMs: 0 })).toThrow(RangeError);
  });
});
