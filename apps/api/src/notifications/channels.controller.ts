import { ChannelService, type ChannelView } from '@faultline/notifications';
import { RequireScope } from '@faultline/platform';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

@ApiTags('notifications')
@ApiBearerAuth()
@RequireScope('admin')
@Controller('api/v1/channels')
export class ChannelsController {
  constructor(private readonly channels: ChannelService) {}

  @Post()
  @ApiOperation({
    summary:
      'Create a channel: webhook {url, secret?}, slack {url}, pagerduty {routingKey, url?}, email {to, smtp: {host, port, secure, user?, password?, from}}; secrets are stored encrypted and never returned',
  })
  create(@Body() body: unknown): Promise<ChannelView> {
    return this.channels.create(body);
  }

  @Get()
  @ApiOperation({
    summary: 'Channels, with the names of their secret fields and their run of failed deliveries',
  })
  async list(): Promise<{ items: ChannelView[] }> {
    return { items: await this.channels.list() };
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ChannelView> {
    return this.channels.get(id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a channel (secrets included: give them again)' })
  replace(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
  ): Promise<ChannelView> {
    return this.channels.replace(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.channels.delete(id);
  }
}
