import {
  INCIDENT_STATUS_FILTERS,
  type IncidentListQuery,
  type IncidentStatusFilter,
} from '@faultline/incidents';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

import { IsQueryText, IsTime, PageQueryDto } from '../../http/page-query.dto';

export class ListIncidentsQueryDto extends PageQueryDto implements IncidentListQuery {
  @ApiPropertyOptional({ enum: INCIDENT_STATUS_FILTERS, default: 'all' })
  @IsOptional()
  @IsIn(INCIDENT_STATUS_FILTERS)
  status?: IncidentStatusFilter;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'RFC 3339, event time: incidents not over before it, i.e. still open or resolved at or after it (so also every incident opened after it)',
  })
  @IsOptional()
  @IsTime()
  since?: string;

  @ApiPropertyOptional({ description: 'A service name in affected.services', example: 'nova-api' })
  @IsOptional()
  @IsQueryText(200)
  service?: string;

  @ApiPropertyOptional({
    description: 'An entity key among rootCauses[].key, at any rank',
    example: 'backend:amqp://rabbit-1:5672',
  })
  @IsOptional()
  @IsQueryText(1000)
  key?: string;
}
