import { UnresolvedComponentRepository, type UnresolvedComponentView } from '@faultline/collectors';
import { readLimit, RequireScope } from '@faultline/platform';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';

import { IsQueryText, PageQueryDto } from '../http/page-query.dto';

class UnresolvedQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsQueryText(200)
  service?: string;

  @ApiPropertyOptional({ description: 'target:<id>, source:<id> or push' })
  @IsOptional()
  @IsQueryText(200)
  source?: string;
}

@ApiTags('collectors')
@ApiBearerAuth()
@Controller('api/v1/components')
export class ComponentsController {
  constructor(private readonly unresolved: UnresolvedComponentRepository) {}

  @Get('unresolved')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Dependencies named only by component name ("db", "rabbitmq"): each got a target scoped to its service. Map them on their source to join the real backend.',
  })
  async list(@Query() query: UnresolvedQueryDto): Promise<{ items: UnresolvedComponentView[] }> {
    return {
      items: await this.unresolved.list(
        { service: query.service, source: query.source },
        readLimit(query.limit),
      ),
    };
  }
}
