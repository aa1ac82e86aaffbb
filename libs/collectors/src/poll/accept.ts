import type { TargetFormat } from '../targets/poll-target.model';

/**
 * The Accept header each format is polled with: its richest form. oslo.middleware answers plain
 * text unless asked for JSON (and its detailed JSON only then, when detailed=True); the others
 * prefer their own media type and fall back to plain JSON.
 */
export const ACCEPT_BY_FORMAT: Readonly<Record<TargetFormat, string>> = {
  oslo: 'application/json',
  'health-json': 'application/health+json, application/json;q=0.9',
  actuator: 'application/vnd.spring-boot.actuator.v3+json, application/json;q=0.9',
  terminus: 'application/json',
  aspnet: 'application/json',
  // Alertmanager is pushed, never polled; asked like any JSON should someone poll it.
  alertmanager: 'application/json',
  auto: 'application/health+json, application/json;q=0.9, text/plain;q=0.5',
};

/** The headers of one poll: the format's Accept, unless the target sets its own (any spelling). */
export function pollHeaders(
  format: TargetFormat,
  headers: Readonly<Record<string, string>>,
): Record<string, string> {
  const own = Object.keys(headers).some((name) => name.toLowerCase() === 'accept');
  return own ? { ...headers } : { Accept: ACCEPT_BY_FORMAT[format], ...headers };
}
