import {
  ACCEPT_BY_FORMAT,
  HEADERS_DESCRIPTION,
  type PollTarget,
  pollTargetSchema,
  PollTargetService,
} from '@faultline/collectors';
import { readLimit, RequireScope } from '@faultline/platform';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { PageQueryDto } from '../http/page-query.dto';

const POLL_DESCRIPTION =
  `Each poll asks for the format's richest form: ${Object.entries(ACCEPT_BY_FORMAT)
    .filter(([format]) => format !== 'alertmanager')
    .map(([format, accept]) => `${format} → Accept: ${accept}`)
    .join('; ')}. A header the target sets itself (Accept included) wins. ` +
  `Headers: ${HEADERS_DESCRIPTION} Components are resolved with the fleet-wide mapping (/api/v1/mappings) overridden by the target's own mapping.`;

@ApiTags('collectors')
@ApiBearerAuth()
@RequireScope('admin')
@Controller('api/v1/targets')
export class TargetsController {
  constructor(private readonly targets: PollTargetService) {}

  @Post()
  @ApiOperation({
    summary:
      'Register a health endpoint to poll (id generated when absent); polling starts at once',
    description: POLL_DESCRIPTION,
  })
  @ApiBody({ schema: pollTargetSchema as object })
  async create(@Body() body: unknown): Promise<PollTarget> {
    return (await this.targets.put(body, null)).target;
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Create or replace the poll target with this id',
    description: POLL_DESCRIPTION,
  })
  @ApiBody({ schema: pollTargetSchema as object })
  async put(
    @Param('id') id: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PollTarget> {
    const { target, created } = await this.targets.put(body, id);
    reply.status(created ? 201 : 200);
    return target;
  }

  @Get()
  @ApiOperation({ summary: 'Poll targets by id (headers by name only: their values are sealed)' })
  async list(
    @Query() query: PageQueryDto,
  ): Promise<{ items: PollTarget[]; nextCursor: string | null }> {
    const limit = readLimit(query.limit);
    const items = await this.targets.list(limit, query.cursor ?? null);
    return { items, nextCursor: items.length === limit ? items[items.length - 1].id : null };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One poll target' })
  get(@Param('id') id: string): Promise<PollTarget> {
    return this.targets.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop polling a target and forget it' })
  async delete(@Param('id') id: string): Promise<void> {
    await this.targets.delete(id);
  }
}
