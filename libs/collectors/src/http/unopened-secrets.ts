/**
 * A stand-in for request headers whose sealed values could not be decrypted (the key that sealed
 * them is not configured, or the value is damaged). Handed to `SafeHttpClient.fetch` as its
 * `headers`, it makes the call reject with FetchFailure('secret-unavailable', reason) before any
 * connection is made, so the caller reports the reason the way it reports any failed request (a
 * poll: a failing reachability check) instead of crashing, and the request never goes out
 * without the credentials it needs.
 *
 * The mark is an enumerable symbol property: object spread (`{ Accept: ..., ...headers }`) keeps
 * it, and it never appears among the header names (`Object.keys`/`entries` skip symbols).
 */
const UNOPENED = Symbol('faultline.unopened-secrets');

type Marked = Record<string, string> & { [UNOPENED]?: string };

export function unopenedHeaders(reason: string): Record<string, string> {
  const marked: Marked = {};
  marked[UNOPENED] = reason;
  return marked;
}

/** The reason given to `unopenedHeaders`, or null for ordinary headers. */
export function unopenedReason(
  headers: Readonly<Record<string, string>> | undefined,
): string | null {
  if (headers === undefined || headers === null) return null;
  const reason = (headers as Marked)[UNOPENED];
  return typeof reason === 'string' ? reason : null;
}
