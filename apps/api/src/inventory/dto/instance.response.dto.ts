import type {
  CheckView,
  InstanceDetail,
  InstanceSummary,
  ReportCheckView,
  ReportView,
  TransitionView,
} from '@faultline/inventory';
import type { Page } from '@faultline/platform';
import { type Status, STATUSES } from '@faultline/reports';
import { ApiProperty } from '@nestjs/swagger';

const LABELS = {
  type: 'object',
  additionalProperties: { type: 'string' },
  example: { zone: 'az1' },
} as const;
const NEXT_CURSOR = {
  type: String,
  nullable: true,
  description: 'Cursor of the next page; null on the last one',
} as const;

export class InstanceSummaryDto implements InstanceSummary {
  @ApiProperty({ example: 'nova-api' })
  service: string;

  @ApiProperty({ example: 'nova-api-3' })
  name: string;

  @ApiProperty({ example: 'instance:nova-api/nova-api-3' })
  key: string;

  @ApiProperty({ type: String, nullable: true })
  host: string | null;

  @ApiProperty({ type: String, nullable: true })
  zone: string | null;

  @ApiProperty(LABELS)
  labels: Record<string, string>;

  @ApiProperty({ enum: STATUSES })
  status: Status;

  @ApiProperty({ format: 'date-time' })
  firstSeenAt: string;

  @ApiProperty({ format: 'date-time', description: 'observedAt of the newest report (event time)' })
  lastSeenAt: string;

  @ApiProperty({ format: 'date-time', description: 'When the newest report was received' })
  lastReceivedAt: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Usual gap between its reports; null after one report',
  })
  intervalMs: number | null;

  @ApiProperty({
    description: 'Not reported for 3 of its usual intervals before the newest event time known',
  })
  stale: boolean;
}

export class CheckDto implements CheckView {
  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true, description: 'Without credentials or query' })
  target: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'backend:amqp://rabbit-1:5672' })
  backendKey: string | null;

  @ApiProperty({ enum: STATUSES })
  status: Status;

  @ApiProperty({ format: 'date-time', description: 'Event time it entered this status' })
  since: string;

  @ApiProperty({ type: Number, nullable: true })
  latencyMs: number | null;

  @ApiProperty({ type: String, nullable: true })
  output: string | null;
}

export class InstanceDetailDto extends InstanceSummaryDto implements InstanceDetail {
  @ApiProperty({ type: [CheckDto] })
  checks: CheckDto[];
}

export class InstancePageDto implements Page<InstanceSummary> {
  @ApiProperty({ type: [InstanceSummaryDto] })
  items: InstanceSummaryDto[];

  @ApiProperty(NEXT_CURSOR)
  nextCursor: string | null;
}

export class ReportCheckDto implements ReportCheckView {
  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true })
  target: string | null;

  @ApiProperty({ type: String, nullable: true })
  backendKey: string | null;

  @ApiProperty({ enum: STATUSES })
  status: Status;

  @ApiProperty({ type: Number, nullable: true })
  latencyMs: number | null;

  @ApiProperty({ type: String, nullable: true })
  output: string | null;
}

export class ReportDto implements ReportView {
  @ApiProperty({ format: 'date-time' })
  observedAt: string;

  @ApiProperty({ format: 'date-time' })
  receivedAt: string;

  @ApiProperty({ enum: STATUSES })
  status: Status;

  @ApiProperty({ type: String, nullable: true })
  host: string | null;

  @ApiProperty(LABELS)
  labels: Record<string, string>;

  @ApiProperty({ type: [ReportCheckDto] })
  checks: ReportCheckDto[];

  @ApiProperty({ type: String, nullable: true, description: 'The client-supplied report id' })
  id: string | null;
}

export class ReportPageDto implements Page<ReportView> {
  @ApiProperty({ type: [ReportDto] })
  items: ReportDto[];

  @ApiProperty(NEXT_CURSOR)
  nextCursor: string | null;
}

export class TransitionDto implements TransitionView {
  @ApiProperty({
    description: 'Opaque increasing id (64-bit integer as a string)',
    example: '1042',
  })
  id: string;

  @ApiProperty({ description: 'Check name' })
  check: string;

  @ApiProperty({ type: String, nullable: true })
  backendKey: string | null;

  @ApiProperty({
    enum: STATUSES,
    nullable: true,
    description: 'null when the check was first seen',
  })
  from: Status | null;

  @ApiProperty({ enum: STATUSES })
  to: Status;

  @ApiProperty({ format: 'date-time' })
  observedAt: string;

  @ApiProperty({ type: String, nullable: true })
  output: string | null;
}

export class TransitionPageDto implements Page<TransitionView> {
  @ApiProperty({ type: [TransitionDto] })
  items: TransitionDto[];

  @ApiProperty(NEXT_CURSOR)
  nextCursor: string | null;
}
