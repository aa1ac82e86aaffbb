import type { ServiceSummary } from '@faultline/inventory';
import type { Page } from '@faultline/platform';
import { type Status, STATUSES } from '@faultline/reports';
import { ApiProperty } from '@nestjs/swagger';

export class ServiceSummaryDto implements ServiceSummary {
  @ApiProperty({ example: 'nova-api' })
  name: string;

  @ApiProperty({ example: 'service:nova-api' })
  key: string;

  @ApiProperty({ format: 'date-time' })
  firstSeenAt: string;

  @ApiProperty({ description: 'Instances of the service' })
  instances: number;

  @ApiProperty({ description: 'Instances whose current status is fail' })
  failing: number;

  @ApiProperty({
    description: 'Instances not heard from for 3 of their usual intervals (event time)',
  })
  stale: number;

  @ApiProperty({ enum: STATUSES, description: 'The worst current status of its instances' })
  status: Status;
}

export class ServicePageDto implements Page<ServiceSummary> {
  @ApiProperty({ type: [ServiceSummaryDto] })
  items: ServiceSummaryDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Cursor of the next page; null on the last one',
  })
  nextCursor: string | null;
}
