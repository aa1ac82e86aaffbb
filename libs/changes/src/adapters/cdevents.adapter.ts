import type { FieldError } from '@faultline/reports';

import type { ChangeInput, ChangeKind, ChangeStatus } from '../change.model';
import { CHANGE_LIMITS } from '../change.schema';
import {
  type AdaptedChange,
  type AdaptedChanges,
  ChangeFormatError,
  cut,
  labelsFrom,
  objectAt,
  summaryText,
  textAt,
} from './adapted-change';

/**
 * CDEvents (cdevents.dev, continuous-deployment.md) as changes. A CDEvent comes as the body
 * itself (CloudEvents HTTP binary mode: the `ce-*` headers repeat its context) or as the `data`
 * of a CloudEvent (structured mode, `application/cloudevents+json`); a JSON array is a batch.
 *
 * What each event type becomes (any version of the type):
 *   service.deployed      deploy  succeeded     "myapp deployed <version> in <environment>"
 *   service.upgraded      deploy  succeeded
 *   service.rolledback    deploy  rolled-back
 *   service.removed       scale   succeeded     (the service no longer runs there: capacity gone)
 *   environment.modified  config  succeeded
 * Every other CDEvent (builds, tests, tickets…) is listed as ignored, not refused.
 *
 * The entity: `?entity=` when given; else for service events `service:<name>`, the name being
 * the last segment of the subject id (`service/myapp`, `daemonset/myapp` → `myapp`, as the spec's
 * examples write it); for environment events `zone:<environment name or id>` (an environment is
 * where things run; name it with ?entity= when yours are something else).
 * The id is `cdevents:<context.id>` (each event is one change), the time the event's
 * `timestamp` (these predicates report a change done), the version the artifact's purl version
 * (`pkg:oci/myapp@sha256%3A0b31…` → `sha256:0b31…`), else the artifactId.
 */

interface Mapping {
  kind: ChangeKind;
  status: ChangeStatus;
  verb: string;
}

const MAPPINGS: Readonly<Record<string, Mapping>> = {
  'service.deployed': { kind: 'deploy', status: 'succeeded', verb: 'deployed' },
  'service.upgraded': { kind: 'deploy', status: 'succeeded', verb: 'upgraded' },
  'service.rolledback': { kind: 'deploy', status: 'rolled-back', verb: 'rolled back' },
  'service.removed': { kind: 'scale', status: 'succeeded', verb: 'removed' },
  'environment.modified': { kind: 'config', status: 'succeeded', verb: 'modified' },
};

/** `dev.cdevents.<subject>.<predicate>.<semver>` */
const CDEVENT_TYPE = /^dev\.cdevents\.([A-Za-z]+)\.([A-Za-z]+)\.\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const MAX_EVENTS = CHANGE_LIMITS.perRequest;

export interface CdeventsOptions {
  /** `?entity=`: the entity every event of the request is on. */
  entity?: string;
}

export function adaptCdevents(body: unknown, options: CdeventsOptions = {}): AdaptedChanges {
  const isArray = Array.isArray(body);
  const items: unknown[] = isArray ? body : [body];
  if (items.length === 0)
    throw new ChangeFormatError([{ path: '', reason: 'must hold at least one event' }]);
  if (items.length > MAX_EVENTS)
    throw new ChangeFormatError([
      { path: '', reason: `must hold at most ${MAX_EVENTS} events a request` },
    ]);
  const out: AdaptedChanges = { changes: [], ignored: [] };
  const errors: FieldError[] = [];
  items.forEach((item, i) => {
    const prefix = isArray ? `/${i}` : '';
    const adapted = adaptOne(item, prefix, options, errors, out.ignored);
    if (adapted) out.changes.push(adapted);
  });
  if (errors.length > 0) throw new ChangeFormatError(errors);
  return out;
}

function adaptOne(
  item: unknown,
  prefix: string,
  options: CdeventsOptions,
  errors: FieldError[],
  ignored: FieldError[],
): AdaptedChange | null {
  let event = objectAt(item);
  let at = prefix;
  // Structured mode: a CloudEvent whose data is the CDEvent.
  if (event && typeof event.specversion === 'string' && objectAt(event.data)) {
    event = objectAt(event.data);
    at = `${prefix}/data`;
  }
  const context = objectAt(event?.context);
  const subject = objectAt(event?.subject);
  if (!event || !context || !subject) {
    errors.push({
      path: at || '/',
      reason: 'must be a CDEvent ({context, subject}) or a CloudEvent carrying one as its data',
    });
    return null;
  }
  const type = textAt(context.type);
  const match = type === null ? null : CDEVENT_TYPE.exec(type);
  if (!match) {
    errors.push({
      path: `${at}/context/type`,
      reason: 'must be a CDEvents type, dev.cdevents.<subject>.<predicate>.<version>',
    });
    return null;
  }
  const [, subjectType, predicate] = match;
  const mapping = MAPPINGS[`${subjectType}.${predicate}`];
  if (!mapping) {
    ignored.push({
      path: `${at}/context/type`,
      reason: `${subjectType}.${predicate} is not a change Faultline records (it reads ${Object.keys(MAPPINGS).join(', ')})`,
    });
    return null;
  }
  const id = textAt(context.id);
  const timestamp = textAt(context.timestamp);
  const subjectId = textAt(subject.id);
  for (const [value, path] of [
    [id, '/context/id'],
    [timestamp, '/context/timestamp'],
    [subjectId, '/subject/id'],
  ] as const)
    if (value === null) errors.push({ path: `${at}${path}`, reason: 'is required' });
  if (id === null || timestamp === null || subjectId === null) return null;

  const content = objectAt(subject.content) ?? {};
  const environment = objectAt(content.environment);
  const environmentName =
    subjectType === 'environment'
      ? (textAt(content.name) ?? subjectId)
      : (textAt(environment?.id) ?? null);
  const serviceName = subjectId.split('/').filter(Boolean).pop() ?? subjectId;
  const artifactId = textAt(content.artifactId);
  const version = artifactId === null ? null : purlVersion(artifactId);
  const entityPath = options.entity !== undefined ? '/entity' : `${at}/subject/id`;
  const entity =
    options.entity ??
    (subjectType === 'environment' ? `zone:${environmentName}` : `service:${serviceName}`);
  const url = textAt(content.url) ?? textAt(content.uri);
  const what = subjectType === 'environment' ? `environment ${environmentName}` : serviceName;
  const summary = [
    `${what} ${mapping.verb}`,
    version !== null ? ` ${version}` : '',
    subjectType === 'service' && environmentName !== null ? ` in ${environmentName}` : '',
    ' (CDEvents)',
  ].join('');

  const input: ChangeInput = {
    id: `cdevents:${id}`,
    entity,
    kind: mapping.kind,
    status: mapping.status,
    startedAt: timestamp,
    finishedAt: timestamp,
    source: 'cdevents',
    summary: summaryText(summary),
    labels: labelsFrom([
      ['cdevents.type', type],
      ['cdevents.source', textAt(context.source)],
      ['environment', environmentName],
      ['artifactId', artifactId],
    ]),
  };
  if (version !== null) input.version = cut(version, CHANGE_LIMITS.versionLength);
  if (url !== null && /^https?:\/\//i.test(url)) input.links = [{ href: url, text: what }];
  return {
    input,
    paths: {
      id: `${at}/context/id`,
      entity: entityPath,
      startedAt: `${at}/context/timestamp`,
      finishedAt: `${at}/context/timestamp`,
      version: `${at}/subject/content/artifactId`,
      links: `${at}/subject/content/url`,
      labels: `${at}/subject/content`,
    },
  };
}

/**
 * The version in a package URL (`pkg:oci/myapp@sha256%3A0b31…?repository_url=…` →
 * `sha256:0b31…`); an artifactId that is no purl is its own version (a digest, a file name).
 */
export function purlVersion(artifactId: string): string {
  if (!artifactId.startsWith('pkg:')) return artifactId;
  const end = artifactId.search(/[?#]/);
  const body = end === -1 ? artifactId : artifactId.slice(0, end);
  const at = body.lastIndexOf('@');
  if (at === -1) return artifactId;
  try {
    return decodeURIComponent(body.slice(at + 1));
  } catch {
    return body.slice(at + 1);
  }
}
