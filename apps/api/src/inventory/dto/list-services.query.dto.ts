import type { ServiceListQuery } from '@faultline/inventory';
import { type Status, STATUSES } from '@faultline/reports';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

import { IsQueryText, PageQueryDto } from '../../http/page-query.dto';

export class ListServicesQueryDto extends PageQueryDto implements ServiceListQuery {
  @ApiPropertyOptional({ enum: STATUSES, description: 'The worst current status of its instances' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: Status;

  @ApiPropertyOptional({ description: 'Name prefix' })
  @IsOptional()
  @IsQueryText(200)
  q?: string;
}
