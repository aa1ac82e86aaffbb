import {
  type UnresolvedComponentGroup,
  UnresolvedComponentRepository,
  type UnresolvedComponentView,
} from '@faultline/collectors';
import { readLimit, RequireScope } from '@faultline/platform';
import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

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

  @ApiPropertyOptional({
    enum: ['name'],
    description:
      'name: one item per component name across services and sources, {component, services, sources, count, firstSeen, lastSeen, suggestedMapping}',
  })
  @IsOptional()
  @IsIn(['name'], { message: 'groupBy must be name' })
  groupBy?: 'name';
}

/** Components no mapping resolved yet: what an operator maps (see MappingsController). */
@ApiTags('collectors')
@ApiBearerAuth()
@Controller('api/v1/components')
export class ComponentsController {
  constructor(private readonly unresolved: UnresolvedComponentRepository) {}

  @Get('unresolved')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Dependencies named only by component name ("db", "redis"): each got a target scoped to its service. Map them fleet-wide (PUT /api/v1/mappings/:name) or on their source to join the real backend.',
    description:
      'One item per (source, service, component): {source, service, component, target, firstSeen, lastSeen}. ' +
      'With ?groupBy=name, one item per component name across every service and source that names it: ' +
      '{component, services, sources, count, firstSeen, lastSeen, suggestedMapping} — the names a single fleet-wide mapping resolves everywhere. ' +
      'A component leaves the list once a mapping names it.',
  })
  @ApiOkResponse({
    description: '{items: [...]}, most recently seen first (limit items, or limit names grouped)',
  })
  async list(
    @Query() query: UnresolvedQueryDto,
  ): Promise<{ items: UnresolvedComponentView[] | UnresolvedComponentGroup[] }> {
    const filter = { service: query.service, source: query.source };
    const limit = readLimit(query.limit);
    return {
      items:
        query.groupBy === 'name'
          ? await this.unresolved.listByName(filter, limit)
          : await this.unresolved.list(filter, limit),
    };
  }
}
