import type { CheckInput, FieldError, ReportInput, Status } from '@faultline/reports';

import { DependencyResolver, isLoopback } from './dependency-identity';
import { contextTime, parseRfc3339 } from './event-time';
import {
  type AdaptedReports,
  FormatError,
  type HealthDocument,
  type SourceContext,
} from './format.model';
import {
  arrayAt,
  isObject,
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
  keepWorst,
  MAX_ALERTS_READ,
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
 * At most MAX_ALERTS_READ (1000) alerts are read: of more, the most severe (firing, then firing
 * at warning severity, then resolved, each in order), and `refused` says how many there were.
 * Alerts are read one by one: one that cannot be read (no service, a bad status or time) is left
 * out and listed in `refused` (JSON pointer and reason) while the others are reported, because
 * Alertmanager takes any 4xx as final and would drop the whole group, valid alerts with it. Only a
 * document that is not a webhook at all (not JSON, no alerts array), or whose every alert is
 * refused, is refused as a whole (FormatError).
 * Produces one report per (service, instance) among the alerts, each alert a check named by its
 * `alertname`; alerts of one report sharing a name are told apart by the first label whose values
 * differ (`DiskFull{device=sda1}`), else by fingerprint. Every report has `periodic: false`: alerts
 * are events, and a quiet alert source says nothing about whether its instances are alive.
 * Status: firing → fail, or warn when its `severity` label is warning, info or none; resolved → pass.
 * Identity (ctx.labelMapping, first label present wins): service ← service, job; instance ←
 * instance; host ← host, node, else the host part of an instance label of the form `host:port`
 * (`compute-12:9100`, `[2001:db8::1]:9100`; not a loopback one: `localhost` names every machine,
 * so as a host it would merge unrelated ones); each falling back to the source's. Labels every
 * alert of the report shares (other than alertname, severity, the identity labels and the target
 * label) become report labels.
 * An alert describes its own service, so a check gets a target only from the mapping (under its
 * name, then its alertname) or from its target label (a URI as itself, another id as the global
 * `component://<id>`); it is never scoped nor listed as unresolved.
 * Output: a firing alert's `summary` annotation, else `description`, else `message`; a resolved
 * alert's is `resolved` (its annotations describe the problem that ended).
 * Time: when the webhook arrived (ctx.observedAt), not the alerts' startsAt/endsAt (validated,
 * not used). Alerts of one rule evaluation share those times, and Alertmanager sends each group
 * on its own: two groups about one instance would carry one event time, and the second would be
 * dropped as a duplicate of the first (a resolved alert never clearing).
 */
export function adaptAlertmanager(doc: HealthDocument, ctx: SourceContext): AdaptedReports {
  const root = objectAt(parseJsonBody(doc.body), '');
  optionalStringAt(root.version, '/version');
  const alerts: Alert[] = [];
  const refused: FieldError[] = [];
  const all = arrayAt(root.alerts, '/alerts');
  const read = keepWorst(
    all.map((_, i) => i),
    (i) => rawAlertStatus(all[i]),
    MAX_ALERTS_READ,
  );
  if (read.length < all.length)
    refused.push({
      path: '/alerts',
      reason: `holds ${all.length} alerts: the ${MAX_ALERTS_READ} most severe were read (at most ${MAX_ALERTS_READ} a webhook), the others left out`,
    });
  for (const i of read) {
    try {
      alerts.push(readAlert(all[i], pointer('/alerts', i), ctx));
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      for (const error of e.errors) refused.push(error);
    }
  }
  if (!alerts.length && refused.length) throw new FormatError(refused);
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
    const identity = identityLabels(ctx);
    const names = checkNames(group, identity);
    const checks: CheckInput[] = group.map((alert, i) => ({
      name: names[i],
      status: alert.status,
      target: resolver.targetFor(first.service, {
        mappingKeys: [names[i], alert.alertname],
        component: alert.alertname,
        globalId: firstLabel(alert.labels, targetLabels),
        role: 'maybe-dependency',
      }),
      output: alert.resolved
        ? 'resolved'
        : outputText(
            alert.annotations.summary ?? alert.annotations.description ?? alert.annotations.message,
          ),
    }));
    reports.push(
      assembleReport({
        service: first.service,
        instance: first.instance,
        host: first.host,
        labels: mergedLabels(ctx, sharedLabels(group, new Set([...identity, ...targetLabels]))),
        observedAt: contextTime(ctx.observedAt),
        checks,
        periodic: false,
      }),
    );
  }
  const result: AdaptedReports = {
    format: 'alertmanager',
    reports,
    unresolved: resolver.unresolved,
  };
  if (refused.length) result.refused = refused;
  return result;
}

interface Alert {
  service: string;
  instance?: string;
  host?: string;
  alertname: string;
  status: Status;
  resolved: boolean;
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

/** An alert's status from a first look (firing: fail or warn by severity; resolved: pass; unreadable: fail, to be read and refused). */
function rawAlertStatus(value: unknown): Status {
  if (!isObject(value)) return 'fail';
  if (value.status === 'resolved') return 'pass';
  const labels = isObject(value.labels) ? value.labels : {};
  const severity = typeof labels.severity === 'string' ? labels.severity.toLowerCase() : '';
  return value.status === 'firing' && WARNING_SEVERITIES.has(severity) ? 'warn' : 'fail';
}

function readAlert(value: unknown, path: string, ctx: SourceContext): Alert {
  const alert = objectAt(value, path);
  const rawStatus = stringAt(alert.status, pointer(path, 'status'));
  if (rawStatus !== 'firing' && rawStatus !== 'resolved')
    refuse(pointer(path, 'status'), 'must be firing or resolved');
  const labels = stringMapAt(alert.labels, pointer(path, 'labels'));
  const annotations = stringMapAt(alert.annotations, pointer(path, 'annotations'));
  const fingerprint = optionalStringAt(alert.fingerprint, pointer(path, 'fingerprint'));

  eventTime(alert.startsAt, pointer(path, 'startsAt'));
  if (alert.endsAt !== undefined && alert.endsAt !== null)
    eventTime(alert.endsAt, pointer(path, 'endsAt'));

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

  const instanceHost = instanceLabel === undefined ? undefined : hostOfInstance(instanceLabel);

  const severity = (labels.severity ?? '').toLowerCase();
  return {
    service,
    instance: instanceLabel ? nameText(instanceLabel, 'instance') : contextName(ctx.instance),
    host: hostLabel
      ? nameText(hostLabel, 'host')
      : instanceHost
        ? nameText(instanceHost, 'host')
        : contextName(ctx.host),
    alertname: labels.alertname || 'alert',
    status: rawStatus === 'resolved' ? 'pass' : WARNING_SEVERITIES.has(severity) ? 'warn' : 'fail',
    resolved: rawStatus === 'resolved',
    labels,
    annotations,
    fingerprint,
  };
}

/** The host of a `host:port` instance (an IPv6 one without its brackets); none for a loopback one. */
function hostOfInstance(instance: string): string | undefined {
  const v6 = /^\[([0-9a-f:.]+)\]:\d{1,5}$/i.exec(instance);
  if (v6) return isLoopback(`[${v6[1]}]`) ? undefined : v6[1];
  const named = /^([a-z0-9._-]+):\d{1,5}$/i.exec(instance);
  if (named) return isLoopback(named[1].toLowerCase()) ? undefined : named[1];
  return undefined;
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
  group.forEach((a, i) => {
    const indexes = byName.get(a.alertname);
    if (indexes) indexes.push(i);
    else byName.set(a.alertname, [i]);
  });
  const names = group.map((a) => a.alertname);
  for (const [alertname, indexes] of byName) {
    if (indexes.length < 2) continue;
    const same = indexes.map((i) => group[i]);
    const labelKeys = new Set<string>();
    for (const a of same) for (const k of Object.keys(a.labels)) labelKeys.add(k);
    // The first MAX_DISTINGUISHING_KEYS label names (sorted) are tried: each try walks the alerts.
    const keys = Array.from(labelKeys)
      .filter((k) => !identity.has(k))
      .sort()
      .slice(0, MAX_DISTINGUISHING_KEYS);
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

/** Label names tried to tell alerts of one name apart; an alert with more is told apart by fingerprint or #n. */
const MAX_DISTINGUISHING_KEYS = 50;

/**
 * Labels with one value across every alert of the group, the `excluded` ones aside: of the
 * first alert's first MAX_SHARED_CANDIDATES labels (a report keeps at most 50 labels anyway).
 */
function sharedLabels(group: Alert[], excluded: Set<string>): [string, string][] {
  const [first] = group;
  return Object.entries(first.labels)
    .slice(0, MAX_SHARED_CANDIDATES)
    .filter(
      ([k, v]) =>
        !excluded.has(k) &&
        group.every((a) => Object.prototype.hasOwnProperty.call(a.labels, k) && a.labels[k] === v),
    );
}

const MAX_SHARED_CANDIDATES = 200;
