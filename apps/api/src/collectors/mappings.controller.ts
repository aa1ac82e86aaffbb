import {
  type ComponentMapping,
  componentMappingSchema,
  ComponentMappingService,
} from '@faultline/collectors';
import { readLimit, RequireScope } from '@faultline/platform';
import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { PageQueryDto } from '../http/page-query.dto';

const MAPPING_NAME = {
  name: 'name',
  description:
    'The component name as health documents carry it (redis, db, inventory-api); URL-encode / and other reserved characters',
};

/** The fleet-wide component mapping: a name such as `redis` mapped once for every service. */
@ApiTags('collectors')
@ApiBearerAuth()
@Controller('api/v1/mappings')
export class MappingsController {
  constructor(private readonly mappings: ComponentMappingService) {}

  @Put(':name')
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

  @Get()
  @RequireScope('admin')
  @ApiOperation({ summary: 'Fleet-wide component mappings, by name' })
  async listMappings(
    @Query() query: PageQueryDto,
  ): Promise<{ items: ComponentMapping[]; nextCursor: string | null }> {
    const limit = readLimit(query.limit);
    const items = await this.mappings.list(limit, query.cursor ?? null);
    return { items, nextCursor: items.length === limit ? items[items.length - 1].name : null };
  }

  @Get(':name')
  @RequireScope('admin')
  @ApiOperation({ summary: 'One fleet-wide component mapping' })
  @ApiParam(MAPPING_NAME)
  getMapping(@Param('name') name: string): Promise<ComponentMapping> {
    return this.mappings.get(name);
  }

  @Delete(':name')
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
