import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';

import { IsTime } from '../../http/page-query.dto';

/** `?since=` of the impact view. */
export class ImpactQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'List the changes started or finished since then (default: an hour before the newest event time known)',
  })
  @IsOptional()
  @IsTime()
  since?: string;
}
