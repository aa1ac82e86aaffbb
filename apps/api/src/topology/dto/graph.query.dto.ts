import { DEFAULT_GRAPH_DEPTH } from '@faultline/topology/service';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';

import { IsQueryText } from '../../http/page-query.dto';

export const MAX_GRAPH_DEPTH = 20;

export class GraphQueryDto {
  @ApiPropertyOptional({
    description: 'An entity key: return only its neighbourhood (edges followed both ways)',
    example: 'backend:amqp://rabbit-1:5672',
  })
  @IsOptional()
  @IsQueryText(1000)
  around?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_GRAPH_DEPTH,
    default: DEFAULT_GRAPH_DEPTH,
    description: 'Hops from `around`; only with around',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_GRAPH_DEPTH)
  // A depth alone would be silently ignored: refuse it instead.
  @ValidateBy({
    name: 'needsAround',
    validator: {
      validate: (_v, args) => (args?.object as GraphQueryDto).around !== undefined,
      defaultMessage: () => '$property needs around',
    },
  })
  depth?: number;
}
