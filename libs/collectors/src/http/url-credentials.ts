/**
 * Credentials carried inside a URL, and the URL as it may be shown once they are cut out.
 *
 * Contract of `redactUrl(url, { pathTokens })`: pure. Returns the URL with every credential part
 * replaced by `***`, or null when it carries none (or is not a URL: the caller's validation
 * answers for that). A credential part is
 *   - userinfo (`https://user:pass@host/` → `https://***@host/`);
 *   - the value of a query parameter whose name says credential (key, token, auth, secret, pass,
 *     pwd, sig/signature, session, credential, jwt, bearer, private, code: Google Chat's
 *     `?key=…&token=…`, Azure Logic Apps' and Teams workflows' `sig=…`, Azure Functions' `code=…`);
 *   - with `pathTokens` (webhook URLs, whose path is often the credential): the path of a known
 *     webhook service past its fixed prefix (Slack `/services/***`, Discord `/api/webhooks/***`,
 *     Teams `/webhookb2/***`, Zapier `/hooks/catch/***`, Telegram `/***`), and elsewhere the path
 *     from the first segment that looks like a token (16+ characters of letters and digits
 *     mixed, as generated ids and tokens are) to its end.
 * The rule errs towards redacting: a redacted URL is sealed at rest, which costs nothing but the
 * need for FAULTLINE_SECRET_KEY.
 */
export interface RedactOptions {
  /** Also treat token-like path segments, and known webhook services' paths, as credentials. */
  pathTokens: boolean;
}

export const REDACTED = '***';

const SECRET_PARAM =
  /auth|token|key|secret|pass|pwd|sig|session|credential|jwt|bearer|private|^code$/i;

/** Host (exact or a subdomain of) → path segments kept before the credential part. */
const WEBHOOK_SERVICES: readonly { host: RegExp; keep: number }[] = [
  { host: /^hooks\.slack(-gov)?\.com$/, keep: 1 },
  { host: /(^|\.)discord(app)?\.com$/, keep: 2 },
  { host: /\.webhook\.office\.com$/, keep: 1 },
  { host: /^outlook\.office(365)?\.com$/, keep: 1 },
  { host: /^hooks\.zapier\.com$/, keep: 2 },
  { host: /^api\.telegram\.org$/, keep: 0 },
];

const TOKEN_SEGMENT = /^[A-Za-z0-9_.:~=+%-]{16,}$/;

export function redactUrl(url: string, options: RedactOptions): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  let redacted = false;
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = REDACTED;
    parsed.password = '';
    redacted = true;
  }
  if (parsed.search !== '') {
    const params = new URLSearchParams(parsed.search);
    const secretNames = [...new Set([...params.keys()].filter((name) => SECRET_PARAM.test(name)))];
    for (const name of secretNames) params.set(name, REDACTED);
    if (secretNames.length > 0) {
      parsed.search = params.toString();
      redacted = true;
    }
  }
  if (options.pathTokens) {
    const path = redactedPath(parsed);
    if (path !== null) {
      parsed.pathname = path;
      redacted = true;
    }
  }
  // A fragment is never sent, so it cannot hold a credential the server reads: dropped.
  parsed.hash = '';
  return redacted ? parsed.href : null;
}

/** True when `url` carries a credential by the rules of `redactUrl`. */
export function hasUrlCredentials(url: string, options: RedactOptions): boolean {
  return redactUrl(url, options) !== null;
}

function redactedPath(url: URL): string | null {
  const segments = url.pathname.split('/').slice(1);
  const service = WEBHOOK_SERVICES.find(({ host }) => host.test(url.hostname));
  let cut: number;
  if (service !== undefined) {
    cut = service.keep;
  } else {
    cut = segments.findIndex(isTokenLike);
    if (cut === -1) return null;
  }
  if (segments.slice(cut).every((segment) => segment === '')) return null;
  return `/${[...segments.slice(0, cut), REDACTED].join('/')}`;
}

function isTokenLike(segment: string): boolean {
  return TOKEN_SEGMENT.test(segment) && /[0-9]/.test(segment) && /[A-Za-z]/.test(segment);
}
