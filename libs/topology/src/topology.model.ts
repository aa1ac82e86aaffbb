import type { EntityKind } from '@faultline/reports';

/** Every node is keyed by its entity key (docs/CONTRACT.md, "Entity keys"); `kind` repeats the prefix. */
export type NodeAttributes = {
  kind: EntityKind;
  /** service of an instance, zone of a host: denormalised so an exported graph reads on its own. */
  service?: string;
  host?: string | null;
  zone?: string | null;
};

/**
 * Edges point from the dependent to what it depends on (member_of aside: a service depends on its
 * instances), so "what breaks if X breaks" is found by walking them backwards (see impact.ts).
 *   member_of  instance → service        runs_on  instance → host      in_zone  host → zone
 *   depends_on instance → backend (one per check target)
 *   served_by  backend → instance | service | host (the thing behind the target: the same entity)
 *   calls      instance → instance, service → service (a check target is another service's endpoint)
 */
export type Relation = 'member_of' | 'runs_on' | 'in_zone' | 'depends_on' | 'served_by' | 'calls';

export type EdgeAttributes = {
  rel: Relation;
  /** calls edges: how many (instance, target) pairs imply the edge; it is dropped at zero. */
  refs?: number;
};

/** What serves a backend, and how that was learned. */
export interface Serving {
  /** alias: set explicitly; instance / service / host: the target's host name matched a known name. */
  via: 'alias' | 'instance' | 'service' | 'host' | 'none';
  /** The entity key the target resolves to (instance:, service: or host:), or null. */
  owner: string | null;
  /** Instance keys whose health is the backend's own health (empty for host and none). */
  servers: readonly string[];
}

/** Who depends on an entity, directly and transitively (see impact.ts). */
export interface Impact {
  key: string;
  direct: string[];
  /** Every dependent, direct ones included, sorted. */
  transitive: string[];
}

/**
 * What the graph reads of a report: who reports, where it runs, what it calls. A full Report is
 * one, and so is the correlation engine's narrower CorrelationReport.
 */
export interface TopologyObservation {
  readonly service: string;
  readonly instance: string;
  readonly host: string | null;
  readonly labels: { readonly zone?: string };
  readonly checks: readonly { readonly targetKey: string | null }[];
}
