import { type PushSource, pushSourceSchema, PushSourceService } from '@faultline/collectors';
import { RequireScope } from '@faultline/platform';
import { Body, Controller, Delete, Get, HttpCode, Param, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

@ApiTags('collectors')
@ApiBearerAuth()
@RequireScope('admin')
@Controller('api/v1/sources')
export class SourcesController {
  constructor(private readonly sources: PushSourceService) {}

  @Put(':id')
  @ApiOperation({
    summary:
      'Create or replace a push source: identity defaults, component mapping, optional signing secret (stored encrypted, never shown)',
  })
  @ApiBody({ schema: pushSourceSchema as object })
  async put(
    @Param('id') id: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PushSource> {
    const { source, created } = await this.sources.put(id, body);
    reply.status(created ? 201 : 200);
    return source;
  }

  @Get()
  @ApiOperation({ summary: 'Push sources' })
  async list(): Promise<{ items: PushSource[] }> {
    return { items: await this.sources.list() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One push source' })
  get(@Param('id') id: string): Promise<PushSource> {
    return this.sources.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget a push source' })
  async delete(@Param('id') id: string): Promise<void> {
    await this.sources.delete(id);
  }
}
