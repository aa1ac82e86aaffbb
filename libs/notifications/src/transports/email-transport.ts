/**
 * Sends alert e-mail through one configured SMTP server (nodemailer's SMTP transport).
 *
 * Contract of `send(message)`:
 *   - One SMTP connection per message, closed when the send settles; nothing is pooled, so a
 *     failure always belongs to the message that got it.
 *   - Address policy, as for every outbound connection (see @faultline/collectors'
 *     address-policy): the host is resolved first and the connection made to an address that
 *     was checked, never to the name again (no DNS rebinding between check and connect). A host
 *     that is, or resolves to, a link-local or cloud-metadata address (169.254.169.254,
 *     100.100.100.200, fd20:ce::254, ...) fails permanently ('blocked-address') without a
 *     connection, unless `allowLinkLocal`. The certificate is still checked against the name.
 *   - Credentials never cross a session that may stay in clear: with `user` and `password`,
 *     `secure` or `requireTls` must be set, else the send fails permanently before connecting.
 *   - Resolves once the server has taken the message for at least one recipient, with the
 *     Message-ID as sent (the one given), the recipients the server accepted and those it refused
 *     (a partly refused message was still delivered: the caller decides what that means).
 *   - Rejects with EmailDeliveryError for every delivery failure:
 *       permanent = true  for a 5xx reply (bad recipient, relay denied, authentication refused,
 *                         message refused), except 503 "bad sequence", which a new session can
 *                         clear; also for an envelope or message nodemailer refuses before sending
 *                         (invalid address, over the server's SIZE): sending it again cannot help;
 *       permanent = false for everything else: refused or dropped connections, DNS, TLS and
 *                         STARTTLS failures, timeouts, 4xx replies, close() during the send.
 *     A timeout after the body went out may still have delivered the message; the Message-ID is
 *     what lets a receiver drop the duplicate of a retry.
 *   - Programming errors reject (or, in the constructor, throw) TypeError or RangeError: empty
 *     `to`, a Message-ID not shaped `<left@right>`, settings that cannot work.
 *   - `timeoutMs` (default 30 s) is one deadline for the whole send: connect, greeting, TLS,
 *     authentication, envelope and body.
 *   - TLS: `secure` is implicit TLS (port 465); otherwise STARTTLS is used whenever the server
 *     offers it, and with `requireTls` the message is not sent unless the session was upgraded.
 *     Certificates are verified unless `tlsVerify` is false.
 *   - Credentials are used only when both `user` and `password` are set. Never logs; error
 *     messages name `host:port` and carry the server's reply, never the password (it is redacted,
 *     in the clear and in the base64 forms AUTH sends).
 *   - `close()` fails sends in flight (transient) and releases the transport; later sends open
 *     new connections as before.
 */
import { isIP } from 'node:net';

import { FetchFailure, type HostnameResolver, resolvePermitted } from '@faultline/collectors';
import {
  createTransport,
  type NodemailerError,
  type SMTPSentMessageInfo,
  type SMTPTransportOptions,
  type Transporter,
} from 'nodemailer';

export interface SmtpSettings {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (usually port 465). */
  secure: boolean;
  /** Refuse to send unless the server upgrades the session with STARTTLS. */
  requireTls?: boolean;
  user?: string;
  password?: string;
  /** The From header and envelope sender, e.g. 'Faultline <alerts@example.com>'. */
  from: string;
  /** Default true. */
  tlsVerify?: boolean;
  /** Lets the host be a link-local or cloud-metadata address. Default false. */
  allowLinkLocal?: boolean;
}

/** One email as the transport sends it: recipients and content (the sender comes from SmtpSettings). */
export interface OutgoingEmail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** '<id@faultline>': stable per notification, so receivers can spot a resent copy. */
  messageId: string;
}

export interface EmailSendResult {
  messageId: string;
  accepted: string[];
  /** Recipients the server refused while accepting the message for the others. */
  rejected: string[];
}

export interface EmailTransportOptions {
  /** Whole send, connect to final reply. Default 30000. */
  timeoutMs?: number;
  /** Name resolution of the SMTP host; defaults to `dns.lookup`. Tests inject fixed answers. */
  lookup?: HostnameResolver;
}

export class EmailDeliveryError extends Error {
  override readonly name = 'EmailDeliveryError';

  constructor(
    message: string,
    /** True when sending the same message again will get the same refusal. */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
// setTimeout fires at once for longer delays, which would turn a huge timeout into no time at all.
const MAX_TIMEOUT_MS = 2_147_483_647;
// Server replies can be long multi-line texts; the start says what went wrong.
const MAX_DETAIL_CHARS = 300;
// RFC 5322 msg-id, kept strict so no header folding or injection can ride along.
const MESSAGE_ID_SHAPE = /^<[^\s<>@]+@[^\s<>@]+>$/;
// Codes nodemailer raises before or instead of talking to the server about a message that
// cannot be sent as given (bad address, no recipients, over the advertised SIZE).
const PERMANENT_CODES_WITHOUT_REPLY = new Set(['EENVELOPE', 'EMESSAGE']);

const SOCKET_GRACE_MS = 1_000;

type AbortCause = 'deadline' | 'closed';

type SmtpTransporter = Transporter<SMTPSentMessageInfo, SMTPTransportOptions>;

export class EmailTransport {
  private readonly settings: SmtpSettings;
  private readonly from: string;
  private readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly secrets: string[];
  private readonly resolver: HostnameResolver | undefined;
  private readonly inFlight = new Set<AbortController>();
  private readonly transporters = new Set<SmtpTransporter>();

  constructor(settings: SmtpSettings, options: EmailTransportOptions = {}) {
    assertUsableSettings(settings);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
      throw new RangeError(`timeoutMs must be a positive number of at most ${MAX_TIMEOUT_MS}`);
    }
    this.timeoutMs = timeoutMs;
    // The settings (password included) stay inside this object: each send builds its own
    // nodemailer transport for the address it resolved and checked.
    this.settings = { ...settings };
    this.from = settings.from;
    this.endpoint = `${settings.host}:${settings.port}`;
    this.secrets = secretForms(settings.user, settings.password);
    this.resolver = options.lookup;
  }

  async send(message: OutgoingEmail): Promise<EmailSendResult> {
    assertSendableMessage(message);
    this.assertCredentialsProtected();
    const abort = new AbortController();
    this.inFlight.add(abort);
    const deadline = setTimeout(() => abort.abort('deadline' satisfies AbortCause), this.timeoutMs);
    let transporter: SmtpTransporter | null = null;
    try {
      const address = await this.permittedAddress(abort.signal);
      transporter = this.transporterFor(address);
      const info = await transporter.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
        // RFC 3834: out-of-office and other auto-responders must not answer an alert.
        headers: { 'Auto-Submitted': 'auto-generated' },
        signal: abort.signal,
      });
      return {
        messageId: info.messageId,
        accepted: info.accepted.map(String),
        rejected: info.rejected.map(String),
      };
    } catch (error: unknown) {
      if (error instanceof EmailDeliveryError) throw error;
      throw this.toDeliveryError(error, abort.signal);
    } finally {
      clearTimeout(deadline);
      this.inFlight.delete(abort);
      if (transporter !== null) {
        transporter.close();
        this.transporters.delete(transporter);
      }
    }
  }

  /** Fails sends in flight (transient) and releases the transport; it stays usable. */
  close(): void {
    for (const abort of this.inFlight) abort.abort('closed' satisfies AbortCause);
    this.inFlight.clear();
    for (const transporter of this.transporters) transporter.close();
    this.transporters.clear();
  }

  /** Credentials over a session that may stay in clear: refused for good, nothing connected. */
  private assertCredentialsProtected(): void {
    const { secure, requireTls } = this.settings;
    if (!hasCredentials(this.settings) || secure || requireTls === true) return;
    throw new EmailDeliveryError(
      `SMTP ${this.endpoint}: credentials are never sent without TLS: set secure (implicit TLS) or requireTls (STARTTLS)`,
      true,
    );
  }

  /** The address to connect to, checked by the address policy; aborting the send aborts this. */
  private async permittedAddress(signal: AbortSignal): Promise<string> {
    const resolving = resolvePermitted(
      this.settings.host,
      this.settings.allowLinkLocal ?? false,
      this.resolver,
    );
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(new Error('aborted'));
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
    let addresses;
    try {
      addresses = await Promise.race([resolving, aborted]);
    } catch (error: unknown) {
      if (signal.aborted) throw this.toDeliveryError(error, signal);
      if (error instanceof FetchFailure) {
        throw new EmailDeliveryError(
          `SMTP ${this.endpoint}: ${error.reason}: ${error.message}`,
          error.reason === 'blocked-address',
        );
      }
      throw error;
    } finally {
      resolving.catch(() => undefined);
    }
    return addresses[0].address;
  }

  private transporterFor(address: string): SmtpTransporter {
    const { settings, timeoutMs } = this;
    const name = settings.host.replace(/^\[|\]$/g, '');
    const transporter = createTransport({
      host: address,
      port: settings.port,
      // The name the certificate must carry (and SNI): the one configured, not the address.
      ...(isIP(name) === 0 ? { servername: name } : {}),
      secure: settings.secure,
      requireTLS: settings.requireTls ?? false,
      auth: hasCredentials(settings) ? { user: settings.user, pass: settings.password } : undefined,
      tls: { rejectUnauthorized: settings.tlsVerify ?? true },
      // The overall deadline decides; these only make sure no socket outlives it. A second
      // later than it, or on a loaded machine nodemailer's own timer may fire first.
      connectionTimeout: timeoutMs + SOCKET_GRACE_MS,
      greetingTimeout: timeoutMs + SOCKET_GRACE_MS,
      socketTimeout: timeoutMs + SOCKET_GRACE_MS,
      dnsTimeout: timeoutMs + SOCKET_GRACE_MS,
      // Nothing of a session (it carries AUTH) may reach a log.
      logger: false,
      debug: false,
      transactionLog: false,
      // Content is given inline; never let a field be read as a file path or URL to fetch.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    this.transporters.add(transporter);
    return transporter;
  }

  private toDeliveryError(error: unknown, signal: AbortSignal): EmailDeliveryError {
    if (signal.aborted) {
      const cause = signal.reason as AbortCause;
      const what =
        cause === 'deadline'
          ? `no complete delivery within ${this.timeoutMs} ms`
          : 'the transport was closed during the send';
      return new EmailDeliveryError(`SMTP ${this.endpoint}: ${what}`, false);
    }
    const { code, responseCode, message } = describeError(error);
    const permanent =
      responseCode !== undefined
        ? isPermanentReply(responseCode)
        : PERMANENT_CODES_WITHOUT_REPLY.has(code);
    // Redacted before it is cut, so no partial secret survives at the cut.
    const detail = truncated(this.redacted(message || 'no detail'));
    const label = [code, responseCode].filter((part) => part !== '' && part !== undefined);
    const prefix = label.length > 0 ? `${label.join(' ')}: ` : '';
    return new EmailDeliveryError(`SMTP ${this.endpoint}: ${prefix}${detail}`, permanent);
  }

  private redacted(text: string): string {
    let result = text;
    for (const secret of this.secrets) result = result.split(secret).join('[redacted]');
    return result;
  }
}

/** 5xx is RFC 5321's permanent negative reply; 503 only says the session was out of step. */
function isPermanentReply(responseCode: number): boolean {
  return responseCode >= 500 && responseCode < 600 && responseCode !== 503;
}

function hasCredentials(
  settings: SmtpSettings,
): settings is SmtpSettings & { user: string; password: string } {
  return settings.user !== undefined && settings.password !== undefined;
}

/** The password as it can appear on the wire: plain, AUTH LOGIN's base64, AUTH PLAIN's base64. */
function secretForms(user: string | undefined, password: string | undefined): string[] {
  if (password === undefined || password === '') return [];
  const forms = [password, Buffer.from(password).toString('base64')];
  if (user !== undefined) {
    forms.push(Buffer.from(`\u0000${user}\u0000${password}`).toString('base64'));
  }
  // Longest first, so a shorter form never splits a longer one before it is replaced.
  return forms.sort((left, right) => right.length - left.length);
}

function assertUsableSettings(settings: SmtpSettings): void {
  if (typeof settings.host !== 'string' || settings.host.trim() === '') {
    throw new TypeError('SMTP host must be a non-empty string');
  }
  if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65_535) {
    throw new RangeError('SMTP port must be an integer from 1 to 65535');
  }
  if (typeof settings.from !== 'string' || settings.from.trim() === '') {
    throw new TypeError('SMTP from must be a non-empty address');
  }
  // One without the other would silently send unauthenticated; the message names neither value.
  if ((settings.user === undefined) !== (settings.password === undefined)) {
    throw new TypeError('SMTP user and password must be set together');
  }
}

function assertSendableMessage(message: OutgoingEmail): void {
  if (!Array.isArray(message.to) || message.to.length === 0) {
    throw new TypeError('an e-mail needs at least one recipient');
  }
  if (!MESSAGE_ID_SHAPE.test(message.messageId)) {
    throw new TypeError('messageId must look like <id@domain>');
  }
}

function truncated(text: string): string {
  const singleLine = text.replace(/\s+/g, ' ').trim();
  return singleLine.length <= MAX_DETAIL_CHARS
    ? singleLine
    : `${singleLine.slice(0, MAX_DETAIL_CHARS)}…`;
}

// Duck-typed rather than `instanceof Error`: errors raised inside Node's internals belong to
// another realm than the caller's when the caller runs in a sandbox (jest, vm).
function describeError(error: unknown): { code: string; responseCode?: number; message: string } {
  if (typeof error !== 'object' || error === null) return { code: '', message: String(error) };
  const { code, responseCode, message } = error as Partial<
    Record<keyof Pick<NodemailerError, 'code' | 'responseCode' | 'message'>, unknown>
  >;
  return {
    code: typeof code === 'string' ? code : '',
    ...(typeof responseCode === 'number' ? { responseCode } : {}),
    message: typeof message === 'string' ? message : '',
  };
}
