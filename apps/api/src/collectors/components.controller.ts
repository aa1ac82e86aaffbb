import {
  type ComponentMapping,
  componentMappingSchema,
  ComponentMappingService,
  type UnresolvedComponentGroup,
  UnresolvedComponentRepository,
  type UnresolvedComponentView,
} from '@faultline/collectors';
import { readLimit, RequireScope } from '@faultline/platform';
import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { FastifyReply } from 'fastify';

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

const MAPPING_NAME = {
  name: 'name',
  description:
    'The component name as health documents carry it (redis, db, inventory-api); URL-encode / and other reserved characters',
};

/**
 * Components: the ones no mapping resolved yet, and the fleet-wide mapping that resolves them.
 * One controller for both (its routes are under /api/v1) so that they are registered together.
 */
@ApiTags('collectors')
@ApiBearerAuth()
@Controller('api/v1')
export class ComponentsController {
  constructor(
    private readonly unresolved: UnresolvedComponentRepository,
    private readonly mappings: ComponentMappingService,
  ) {}

  @Get('components/unresolved')
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

  @Put('mappings/:name')
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Create or replace a fleet-wide component mapping: the component `name` is `target` wherever it is named',
    description:
      'Applies to every push and poll from the next one on (within a few seconds in every process, no restart); ' +
      "a push source's or poll target's own mapping of the same name wins. The target is what a source's mapping takes: " +
      'a URI such as redis://10.0.0.5:6379, or host:port (400 naming /target otherwise). ' +
      'The name leaves GET /api/v1/components/unresolved at once. 201 when created, 200 when replaced.',
  })
  @ApiParam(MAPPING_NAME)
  @ApiBody({ schema: componentMappingSchema as object })
  async putMapping(
    @Param('name') name: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ComponentMapping> {
    const { mapping, created } = await this.mappings.put(name, body);
    reply.status(created ? 201 : 200);
    return mapping;
  }

  @Get('mappings')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Fleet-wide component mappings, by name' })
  async listMappings(
    @Query() query: PageQueryDto,
  ): Promise<{ items: ComponentMapping[]; nextCursor: string | null }> {
    const limit = readLimit(query.limit);
    const items = await this.mappings.list(limit, query.cursor ?? null);
    return { items, nextCursor: items.length === limit ? items[items.length - 1].name : null };
  }

  @Get('mappings/:name')
  @RequireScope('admin')
  @ApiOperation({ summary: 'One fleet-wide component mapping' })
  @ApiParam(MAPPING_NAME)
  getMapping(@Param('name') name: string): Promise<ComponentMapping> {
    return this.mappings.get(name);
  }

  @Delete('mappings/:name')
  @HttpCode(204)
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Forget a fleet-wide component mapping (from the next push or poll on, the name is scoped to each service again)',
  })
  @ApiParam(MAPPING_NAME)
  async deleteMapping(@Param('name') name: string): Promise<void> {
    await this.mappings.delete(name);
  }
}
