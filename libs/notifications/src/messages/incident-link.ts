/**
 * Where a message sends a person: the incident's page in the dashboard, not the JSON the API
 * answers. An event's incident.url is the API's route, `<PUBLIC_URL>/api/v1/incidents/<id>`
 * (what a machine fetches: the webhook keeps it as `url`); the dashboard, served at PUBLIC_URL's
 * root, shows the same incident at `<PUBLIC_URL>/#/incidents/<id>`.
 *
 * Contract: pure. Any path before /api/v1 (Faultline behind a proxy under a prefix) is kept, the
 * id stays percent-encoded as it was (the dashboard decodes it), the query is dropped. A URL of
 * another shape (already a page, or not a URL at all) is returned unchanged: the renderers check
 * it before they make a link of it.
 */

const API_INCIDENT_PATH = /^(.*)\/api\/v1\/incidents\/([^/]+)\/?$/;

export function incidentPageUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return url;
  const match = API_INCIDENT_PATH.exec(parsed.pathname);
  if (!match) return url;
  const [, prefix, id] = match;
  return `${parsed.origin}${prefix}/#/incidents/${id}`;
}
