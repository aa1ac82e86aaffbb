import {
  CHANGE_KINDS,
  CHANGE_STATUSES,
  type ChangeKind,
  type ChangeStatus,
} from '@faultline/changes';
import type {
  CauseKind,
  ChangeRefView,
  IncidentDetail,
  IncidentSummary,
  RootCauseView,
  TimelineEntryView,
} from '@faultline/incidents';
import type { Page } from '@faultline/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const CAUSE_KINDS: CauseKind[] = ['backend', 'host', 'service', 'instance', 'zone', 'change'];

export class ChangeRefDto implements ChangeRefView {
  @ApiProperty({ example: 'deploy-4411' })
  id: string;

  @ApiProperty({ example: 'service:billing', description: 'Entity key of what changed' })
  entity: string;

  @ApiProperty({ enum: CHANGE_KINDS })
  kind: ChangeKind;

  @ApiProperty({ enum: CHANGE_STATUSES })
  status: ChangeStatus;

  @ApiProperty({ format: 'date-time', description: 'Event time it started' })
  startedAt: string;

  @ApiProperty({ type: String, nullable: true, example: 'v2.3.1' })
  version: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'ci',
    description: 'Where it came from: ci, argo, github, pagerduty, cdevents, …',
  })
  source: string | null;

  @ApiProperty({ example: 'billing v2.3.1 (CI run 4411)' })
  summary: string;
}

export class RootCauseDto implements RootCauseView {
  @ApiProperty({
    example: 'backend:amqp://rabbit-1:5672',
    description: 'An entity key, or change:<id> when a recorded change is the cause',
  })
  key: string;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.93 })
  confidence: number;

  @ApiProperty({ example: '18 of 18 dependents lost it within 4 s' })
  summary: string;

  @ApiProperty({ enum: CAUSE_KINDS })
  kind: CauseKind;

  @ApiPropertyOptional({
    type: ChangeRefDto,
    description: 'On a cause of kind change: the change',
  })
  change?: ChangeRefDto;

  @ApiPropertyOptional({
    type: [ChangeRefDto],
    description:
      'The changes that bear on this cause (on its entity or on what it depends on), most recent first',
  })
  changes?: ChangeRefDto[];
}

export class AffectedDto {
  @ApiProperty({ type: [String], description: 'Services affected while it was open, sorted' })
  services: string[];

  @ApiProperty({ description: 'How many instances were affected while it was open' })
  instances: number;
}

export class AffectedDetailDto extends AffectedDto {
  @ApiProperty({
    type: [String],
    example: ['instance:nova-api/nova-api-3'],
    description: 'Their instance keys, sorted',
  })
  instanceKeys: string[];
}

class IncidentBaseDto {
  @ApiProperty({ example: 'inc-mhx3k2p0-1f2e3d4c' })
  id: string;

  @ApiProperty({ enum: ['open', 'resolved'] })
  status: 'open' | 'resolved';

  @ApiProperty({ format: 'date-time', description: 'Event time it opened' })
  openedAt: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Event time it resolved; null while open',
  })
  resolvedAt: string | null;

  @ApiProperty({ type: [RootCauseDto], description: 'Ranked, best first' })
  rootCauses: RootCauseDto[];

  @ApiProperty({
    format: 'date-time',
    description: 'Event time of the earliest symptom it explains',
  })
  firstEvidenceAt: string;

  @ApiProperty({ format: 'date-time', description: 'Event time of its last change' })
  changedAt: string;

  @ApiProperty({ format: 'date-time', description: 'When its last change was stored (wall clock)' })
  updatedAt: string;

  @ApiProperty({
    enum: ['warning', 'critical'],
    description:
      'warning while only warnings (a degraded dependency) speak for it; critical once anything fails',
  })
  severity: 'warning' | 'critical';

  @ApiProperty({
    description: 'The cause failed again after its symptoms had cleared: it comes and goes',
  })
  flapping: boolean;

  @ApiProperty({ example: 1, description: 'Down periods so far: 1, plus one per return' })
  cycles: number;
}

export class IncidentSummaryDto extends IncidentBaseDto implements IncidentSummary {
  @ApiProperty({ type: AffectedDto })
  affected: AffectedDto;
}

export class IncidentPageDto implements Page<IncidentSummary> {
  @ApiProperty({ type: [IncidentSummaryDto], description: 'Newest opened first' })
  items: IncidentSummaryDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Cursor of the next page; null on the last one',
  })
  nextCursor: string | null;
}

export class TimelineEntryDto implements TimelineEntryView {
  @ApiProperty({ format: 'date-time', description: 'Event time' })
  at: string;

  @ApiProperty({
    example: 'opened: backend:amqp://rabbit-1:5672: 18 of 18 dependents lost it within 4 s',
  })
  what: string;

  @ApiPropertyOptional({
    description: 'On the entries where a cause became first (opened, re-ranked): its key',
    example: 'backend:amqp://rabbit-1:5672',
  })
  topCause?: string;

  @ApiPropertyOptional({
    type: ChangeRefDto,
    description:
      'On entries about a change (a rollback, a later change before recovery): the change',
  })
  change?: ChangeRefDto;
}

export class IncidentDetailDto extends IncidentBaseDto implements IncidentDetail {
  @ApiProperty({ type: AffectedDetailDto })
  affected: AffectedDetailDto;

  @ApiProperty({ type: [TimelineEntryDto], description: 'Oldest first' })
  timeline: TimelineEntryDto[];
}
