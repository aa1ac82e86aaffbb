import type { BackendDetail, BackendSummary, DependentView } from '@faultline/inventory';
import type { Page } from '@faultline/platform';
import { type Status, STATUSES } from '@faultline/reports';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class BackendBaseDto {
  @ApiProperty({ example: 'backend:amqp://rabbit-1:5672' })
  key: string;

  @ApiProperty({ example: 'amqp' })
  scheme: string;

  @ApiProperty({ example: 'rabbit-1' })
  host: string;

  @ApiProperty({ type: Number, nullable: true, example: 5672 })
  port: number | null;

  @ApiProperty({ format: 'date-time' })
  firstSeenAt: string;

  @ApiProperty({ description: 'Current checks on it whose status is fail' })
  failing: number;

  @ApiProperty({ type: [String], description: 'Services depending on it, sorted' })
  services: string[];
}

export class BackendSummaryDto extends BackendBaseDto implements BackendSummary {
  @ApiProperty({ description: 'Distinct instances with a current check on it' })
  dependents: number;
}

export class BackendPageDto implements Page<BackendSummary> {
  @ApiProperty({ type: [BackendSummaryDto] })
  items: BackendSummaryDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Cursor of the next page; null on the last one',
  })
  nextCursor: string | null;
}

export class DependentDto implements DependentView {
  @ApiProperty()
  service: string;

  @ApiProperty()
  instance: string;

  @ApiProperty({ description: 'Check name' })
  check: string;

  @ApiProperty({ enum: STATUSES })
  status: Status;

  @ApiProperty({ format: 'date-time' })
  since: string;
}

export class BackendDetailDto extends BackendBaseDto implements BackendDetail {
  @ApiProperty({ description: 'Distinct instances with a current check on it' })
  dependentCount: number;

  @ApiProperty({
    type: [DependentDto],
    description:
      'The current checks on it, by service, instance and check: the first page (limit, cursor); the rest from GET /api/v1/backends/{key}/dependents',
  })
  dependents: DependentDto[];

  @ApiPropertyOptional({
    description:
      'Present only when more dependents exist than this page: the cursor of the next page (GET /api/v1/backends/{key}/dependents?cursor=…)',
  })
  dependentsNextCursor?: string;
}

export class DependentPageDto implements Page<DependentView> {
  @ApiProperty({ type: [DependentDto] })
  items: DependentDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Cursor of the next page; null on the last one',
  })
  nextCursor: string | null;
}
