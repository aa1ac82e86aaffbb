import type { EntityKind } from '@faultline/reports';
import type { Impact, Relation } from '@faultline/topology';
import {
  type GraphJson,
  type GraphNodeJson,
  NODE_STATUSES,
  type NodeStatus,
} from '@faultline/topology';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { RelatedChangeDto } from '../../changes/dto/change.response.dto';

const ENTITY_KINDS: EntityKind[] = ['backend', 'host', 'service', 'instance', 'zone'];
const RELATIONS: Relation[] = [
  'member_of',
  'runs_on',
  'in_zone',
  'depends_on',
  'served_by',
  'calls',
];

export class NodeAttributesDto {
  @ApiProperty({ enum: ENTITY_KINDS })
  kind: EntityKind;

  @ApiProperty({
    enum: NODE_STATUSES,
    description:
      'Instances: their own (stale when silent for 3 intervals); others roll up their instances or checks: fail when most fail, stale when all are stale, warn when any is unwell',
  })
  status: NodeStatus;

  @ApiPropertyOptional({ description: 'Instances: their service' })
  service?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Instances: their host' })
  host?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Instances and hosts: their zone',
  })
  zone?: string | null;
}

export class GraphNodeDto implements GraphNodeJson {
  @ApiProperty({ description: 'Entity key', example: 'instance:nova-api/nova-api-3' })
  key: string;

  @ApiProperty({ type: NodeAttributesDto })
  attributes: NodeAttributesDto;
}

export class EdgeAttributesDto {
  @ApiProperty({
    enum: RELATIONS,
    description: 'Edges point from the dependent to what it depends on',
  })
  rel: Relation;

  @ApiPropertyOptional({ description: 'calls edges: how many (instance, target) pairs imply it' })
  refs?: number;
}

export class GraphEdgeDto {
  @ApiPropertyOptional({ example: 'instance:nova-api/nova-api-3->backend:amqp://rabbit-1:5672' })
  key?: string;

  @ApiProperty()
  source: string;

  @ApiProperty()
  target: string;

  @ApiProperty({ type: EdgeAttributesDto })
  attributes: EdgeAttributesDto;
}

export class GraphOptionsDto {
  @ApiProperty({ example: 'directed' })
  type: 'directed' | 'undirected' | 'mixed';

  @ApiProperty({ example: false })
  multi: boolean;

  @ApiProperty({ example: false })
  allowSelfLoops: boolean;
}

export class GraphAttributesDto {
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The newest event time known: statuses are as of it',
  })
  eventTime: string | null;

  @ApiProperty({
    format: 'date-time',
    description: 'When the graph was rebuilt from stored state (cached for a few seconds)',
  })
  builtAt: string;
}

/** graphology's serialisation format: `new DirectedGraph().import(body)` loads it. */
export class GraphDto implements GraphJson {
  @ApiProperty({ type: GraphAttributesDto })
  attributes: GraphAttributesDto & Record<string, unknown>;

  @ApiProperty({ type: GraphOptionsDto })
  options: GraphOptionsDto;

  @ApiProperty({ type: [GraphNodeDto] })
  nodes: GraphNodeDto[];

  @ApiProperty({ type: [GraphEdgeDto] })
  edges: GraphEdgeDto[];

  @ApiProperty({
    description:
      'True when the whole graph has more nodes than GRAPH_MAX_NODES: only the first are here (unwell first, then backends, services, hosts, zones, instances; by key), with the edges between them. Ask `around` for a neighbourhood instead',
  })
  truncated: boolean;

  @ApiProperty({ description: 'Nodes in the graph asked for, before the cap' })
  totalNodes: number;
}

export class ImpactDto implements Impact {
  @ApiProperty({ example: 'backend:amqp://rabbit-1:5672' })
  key: string;

  @ApiProperty({ type: [String], description: 'Entities that depend on it directly, sorted' })
  direct: string[];

  @ApiProperty({
    type: [String],
    description:
      'Every entity that depends on it, directly or transitively (direct ones included), sorted',
  })
  transitive: string[];

  @ApiProperty({
    type: [RelatedChangeDto],
    description:
      'Changes on the entity, on what it depends on (within 3 hops: a service’s instances, their backends, hosts and zones) and on what depends on it, started or finished since `since` (default: an hour before the newest event time known); newest first, at most 100',
  })
  changes: RelatedChangeDto[];
}
