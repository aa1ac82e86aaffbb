import type { HistoryQuery, TransitionQuery } from '@faultline/inventory';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';

import { IsQueryText, IsTime, PageQueryDto } from '../../http/page-query.dto';

/** History of one instance, newest first, within [since, until) of event time. */
export class HistoryQueryDto extends PageQueryDto implements HistoryQuery {
  @ApiPropertyOptional({ format: 'date-time', description: 'observedAt at or after (RFC 3339)' })
  @IsOptional()
  @IsTime()
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'observedAt before (RFC 3339)' })
  @IsOptional()
  @IsTime()
  until?: string;
}

export class TransitionsQueryDto extends HistoryQueryDto implements TransitionQuery {
  @ApiPropertyOptional({ description: 'Check name' })
  @IsOptional()
  @IsQueryText(200)
  check?: string;
}
