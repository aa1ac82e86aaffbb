import type { CheckInput, Status } from '@faultline/reports';

import { DependencyResolver } from './dependency-identity';
import type { AdaptedReports, HealthDocument, SourceContext } from './format.model';
import {
  isObject,
  type JsonObject,
  objectAt,
  optionalObjectAt,
  parseJsonBody,
  pointer,
  stringAt,
} from './json-reader';
import { contextReport, keepWorst, MAX_ENTRIES_READ, requireService } from './report-assembly';
import { detailSummary, outputText } from './safe-text';

/**
 * Spring Boot Actuator `/actuator/health`.
 *
 * Accepts `{status, components?: {name: {status, details?, components?}}}` (Boot 2.2+) and the
 * Boot 2.0/2.1 shape where `details` held the contributors (read as components when every value
 * of `details` is an object with a string `status`).
 * Produces one report; each leaf contributor is a check, a composite's leaves named by path
 * (`db/primary`; a composite deeper than 8 levels is read as a leaf). At most MAX_ENTRIES_READ (200)
 * leaves are read past their status: the worst. Status: UP → pass, DOWN and OUT_OF_SERVICE → fail, UNKNOWN and custom statuses → warn.
 * Identity: the body names nothing: service, instance and host come from the source. A check's
 * target: the mapping under its path, then under its top-level contributor (`db/primary`, `db`);
 * then a URI in its details (`details.database` is only a product name and is not one); else scoped
 * to the service. diskSpace, ping, livenessState and readinessState get no target.
 * Output: `details.error` (Spring's `Health.down(exception)`), else a few scalar details.
 * Time: ctx.observedAt (the body has none).
 */
export function adaptActuator(doc: HealthDocument, ctx: SourceContext): AdaptedReports {
  const root = objectAt(parseJsonBody(doc.body), '');
  const status = actuatorStatus(stringAt(root.status, '/status'));
  const service = requireService(undefined, ctx);
  const resolver = new DependencyResolver(ctx.mapping);
  // Leaves first (their status alone), then the work on at most MAX_ENTRIES_READ of them, the worst.
  const leaves: Leaf[] = [];
  const visit = (name: string, topLevel: string, value: unknown, path: string, depth: number) => {
    const contributor = objectAt(value, path);
    const componentStatus = actuatorStatus(stringAt(contributor.status, pointer(path, 'status')));
    const children = depth < MAX_DEPTH ? childContributors(contributor, path) : null;
    if (children) {
      for (const [childName, child, childPath] of children)
        visit(`${name}/${childName}`, topLevel, child, childPath, depth + 1);
      if (children.length) return;
    }
    leaves.push({ name, topLevel, status: componentStatus, contributor, path });
  };
  for (const [name, value, path] of childContributors(root, '') ?? [])
    visit(name, name, value, path, 1);

  const checks: CheckInput[] = keepWorst(leaves, (l) => l.status, MAX_ENTRIES_READ).map(
    ({ name, topLevel, status: componentStatus, contributor, path }) => {
      const details = optionalObjectAt(contributor.details, pointer(path, 'details'));
      return {
        name,
        status: componentStatus,
        target: resolver.targetFor(service, {
          mappingKeys: name === topLevel ? [name] : [name, topLevel],
          component: name,
          details,
          role: LOCAL_CONTRIBUTORS.has(topLevel) ? 'not-a-dependency' : 'dependency',
        }),
        output: outputText(
          typeof details?.error === 'string' ? details.error : detailSummary(details),
        ),
      };
    },
  );

  const report = contextReport(ctx, { service, status, checks });
  return { format: 'actuator', reports: [report], unresolved: resolver.unresolved };
}

interface Leaf {
  name: string;
  topLevel: string;
  status: Status;
  contributor: JsonObject;
  path: string;
}

/** Composites nested deeper than this are read as leaves (Spring nests two or three levels). */
const MAX_DEPTH = 8;

/** Contributors that are the application's own state, not a dependency. */
const LOCAL_CONTRIBUTORS = new Set(['diskSpace', 'ping', 'livenessState', 'readinessState']);

export function actuatorStatus(raw: string): Status {
  switch (raw.trim().toUpperCase()) {
    case 'UP':
      return 'pass';
    case 'DOWN':
    case 'OUT_OF_SERVICE':
      return 'fail';
    default:
      // UNKNOWN, and custom statuses an application registered (Spring orders them between DOWN and UP).
      return 'warn';
  }
}

/** `components`, or Boot 2.0/2.1's `details` when it holds contributors; null when neither does. */
function childContributors(node: JsonObject, path: string): [string, unknown, string][] | null {
  const components = optionalObjectAt(node.components, pointer(path, 'components'));
  if (components)
    return Object.entries(components).map(([k, v]) => [
      k,
      v,
      pointer(pointer(path, 'components'), k),
    ]);
  const details = node.details;
  if (isObject(details)) {
    const entries = Object.entries(details);
    if (entries.length && entries.every(([, v]) => isObject(v) && typeof v.status === 'string')) {
      return entries.map(([k, v]) => [k, v, pointer(pointer(path, 'details'), k)]);
    }
  }
  return null;
}
