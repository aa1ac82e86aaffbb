import type { InstanceListQuery } from '@faultline/inventory';
import { type Status, STATUSES } from '@faultline/reports';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

import { IsQueryBoolean, IsQueryText, PageQueryDto } from '../../http/page-query.dto';

export class ListInstancesQueryDto extends PageQueryDto implements InstanceListQuery {
  @ApiPropertyOptional({ description: 'Service name' })
  @IsOptional()
  @IsQueryText(200)
  service?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsQueryText(200)
  host?: string;

  @ApiPropertyOptional({ description: 'labels.zone' })
  @IsOptional()
  @IsQueryText(500)
  zone?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: Status;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'Not reported for 3 of its usual intervals, in event time',
  })
  @IsOptional()
  @IsQueryBoolean()
  stale?: boolean;
}
