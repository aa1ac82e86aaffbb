import type { CheckInput, ReportInput, Status } from '@faultline/reports';

import { DependencyResolver } from './dependency-identity';
import { parseRfc3339 } from './event-time';
import type { AdaptedReports, HealthDocument, SourceContext } from './format.model';
import {
  arrayAt,
  objectAt,
  optionalStringAt,
  parseJsonBody,
  pointer,
  refuse,
  stringAt,
  stringMapAt,
} from './json-reader';
import {
  assembleReport,
  contextName,
  mergedLabels,
  MISSING_SERVICE_REASON,
} from './report-assembly';
import { nameText, outputText, serviceText } from './safe-text';

/**
 * Prometheus Alertmanager webhook (`webhook_config`, payload version "4"; Grafana's webhook, which
 * sends the same alerts under another version, reads the same way).
 *
 * Accepts `{version, status, receiver, alerts: [{status, labels, annotations, startsAt, endsAt,
 * generatorURL, fingerprint}], groupLabels, commonLabels, …}`; only `alerts` is read.
 * Produces one report per (service, instance) among the alerts, each alert a check named by its
 * `alertname`; alerts of one report sharing a name are told apart by the first label whose values
 * differ (`DiskFull{device=sda1}`), else by fingerprint.
 * Status: firing → fail, or warn when its `severity` label is warning, info or none; resolved → pass.
 * Identity (ctx.labelMapping, first label present wins): service ← service, job; instance ←
 * instance; host ← host, node; each falling back to the source's. Labels every alert of the report
 * shares (other than alertname, severity and those identity labels) become report labels.
 * An alert describes its own service, so a check gets a target only from the mapping (under its
 * name, then its alertname) or from its target label (a URI as itself, another id as the global
 * `component://<id>`); it is never scoped nor listed as unresolved.
 * Output: the `summary` annotation, else `description`, else `message`.
 * Time: a firing alert's startsAt, a resolved one's endsAt; a report takes its latest alert's.
 */
export function adaptAlertmanager(doc: HealthDocument, ctx: SourceContext): AdaptedReports {
  const root = objectAt(parseJsonBody(doc.body), '');
  optionalStringAt(root.version, '/version');
  const alerts = arrayAt(root.alerts, '/alerts').map((value, i) =>
    readAlert(value, pointer('/alerts', i), ctx),
  );
  const resolver = new DependencyResolver(ctx.mapping);
  const targetLabels = ctx.labelMapping?.target ?? ['target'];

  const groups = new Map<string, Alert[]>();
  for (const alert of alerts) {
    const key = `${alert.service}\u0000${alert.instance ?? ''}`;
    const group = groups.get(key);
    if (group) group.push(alert);
    else groups.set(key, [alert]);
  }

  const reports: ReportInput[] = [];
  for (const group of groups.values()) {
    const [first] = group;
    const names = checkNames(group, identityLabels(ctx));
    const checks: CheckInput[] = group.map((alert, i) => ({
      name: names[i],
      status: alert.status,
      target: resolver.targetFor(first.service, {
        mappingKeys: [names[i], alert.alertname],
        component: alert.alertname,
        globalId: firstLabel(alert.labels, targetLabels),
        role: 'maybe-dependency',
      }),
      output: outputText(
        alert.annotations.summary ?? alert.annotations.description ?? alert.annotations.message,
      ),
    }));
    reports.push(
      assembleReport({
        service: first.service,
        instance: first.instance,
        host: first.host,
        labels: mergedLabels(ctx, sharedLabels(group, identityLabels(ctx))),
        observedAt: Math.max(...group.map((a) => a.at)),
        checks,
      }),
    );
  }
  return { format: 'alertmanager', reports, unresolved: resolver.unresolved };
}

interface Alert {
  service: string;
  instance?: string;
  host?: string;
  alertname: string;
  status: Status;
  at: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  fingerprint?: string;
}

const DEFAULT_LABELS = {
  service: ['service', 'job'],
  instance: ['instance'],
  host: ['host', 'node'],
};
const WARNING_SEVERITIES = new Set(['warning', 'warn', 'info', 'none']);

function readAlert(value: unknown, path: string, ctx: SourceContext): Alert {
  const alert = objectAt(value, path);
  const rawStatus = stringAt(alert.status, pointer(path, 'status'));
  if (rawStatus !== 'firing' && rawStatus !== 'resolved')
    refuse(pointer(path, 'status'), 'must be firing or resolved');
  const labels = stringMapAt(alert.labels, pointer(path, 'labels'));
  const annotations = stringMapAt(alert.annotations, pointer(path, 'annotations'));
  const fingerprint = optionalStringAt(alert.fingerprint, pointer(path, 'fingerprint'));

  const startsAt = eventTime(alert.startsAt, pointer(path, 'startsAt'));
  const endsAt =
    alert.endsAt === undefined || alert.endsAt === null
      ? null
      : eventTime(alert.endsAt, pointer(path, 'endsAt'));
  // Alertmanager writes the zero time `0001-01-01T00:00:00Z` for "not ended": only a real endsAt counts.
  const at = rawStatus === 'resolved' && endsAt !== null && endsAt > startsAt ? endsAt : startsAt;

  const mapping = ctx.labelMapping ?? {};
  const serviceLabels = mapping.service ?? DEFAULT_LABELS.service;
  const serviceLabel = firstLabel(labels, serviceLabels);
  const service = serviceLabel ? serviceText(serviceLabel, 'service') : contextName(ctx.service);
  if (!service)
    refuse(
      pointer(path, 'labels'),
      `${MISSING_SERVICE_REASON} (or a label: ${serviceLabels.join(', ') || 'none configured'})`,
    );
  const instanceLabel = firstLabel(labels, mapping.instance ?? DEFAULT_LABELS.instance);
  const hostLabel = firstLabel(labels, mapping.host ?? DEFAULT_LABELS.host);

  const severity = (labels.severity ?? '').toLowerCase();
  return {
    service,
    instance: instanceLabel ? nameText(instanceLabel, 'instance') : contextName(ctx.instance),
    host: hostLabel ? nameText(hostLabel, 'host') : contextName(ctx.host),
    alertname: labels.alertname || 'alert',
    status: rawStatus === 'resolved' ? 'pass' : WARNING_SEVERITIES.has(severity) ? 'warn' : 'fail',
    at,
    labels,
    annotations,
    fingerprint,
  };
}

function eventTime(value: unknown, path: string): number {
  return parseRfc3339(stringAt(value, path)) ?? refuse(path, 'is not an RFC 3339 time');
}

/** The value of the first of `names` that the labels carry, non-empty. */
function firstLabel(labels: Record<string, string>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = Object.prototype.hasOwnProperty.call(labels, name) ? labels[name].trim() : '';
    if (value) return value;
  }
  return undefined;
}

/** Labels that say who the alert is about (or are its name and severity): not carried as report labels, not used to tell alerts apart. */
function identityLabels(ctx: SourceContext): Set<string> {
  const m = ctx.labelMapping ?? {};
  return new Set([
    'alertname',
    'severity',
    ...(m.service ?? DEFAULT_LABELS.service),
    ...(m.instance ?? DEFAULT_LABELS.instance),
    ...(m.host ?? DEFAULT_LABELS.host),
  ]);
}

/** Check names for one report's alerts: the alertname, qualified where two share it. */
function checkNames(group: Alert[], identity: Set<string>): string[] {
  const byName = new Map<string, number[]>();
  group.forEach((a, i) => byName.set(a.alertname, [...(byName.get(a.alertname) ?? []), i]));
  const names = group.map((a) => a.alertname);
  for (const [alertname, indexes] of byName) {
    if (indexes.length < 2) continue;
    const same = indexes.map((i) => group[i]);
    const keys = [...new Set(same.flatMap((a) => Object.keys(a.labels)))]
      .filter((k) => !identity.has(k))
      .sort();
    const valuesOf = (k: string) => same.map((a) => a.labels[k] ?? '');
    // A label that tells every one apart; failing that, one that tells some apart (the rest get #n).
    const key =
      keys.find((k) => new Set(valuesOf(k)).size === same.length) ??
      keys.find((k) => new Set(valuesOf(k)).size > 1);
    indexes.forEach((i) => {
      const alert = group[i];
      if (key !== undefined) names[i] = `${alertname}{${key}=${alert.labels[key] ?? ''}}`;
      else if (alert.fingerprint) names[i] = `${alertname}{fingerprint=${alert.fingerprint}}`;
    });
  }
  return names;
}

/** Labels with one value across every alert of the group, identity labels aside. */
function sharedLabels(group: Alert[], identity: Set<string>): [string, string][] {
  const [first, ...rest] = group;
  return Object.entries(first.labels).filter(
    ([k, v]) => !identity.has(k) && rest.every((a) => a.labels[k] === v),
  );
}
