import { type RouteView, RoutingRulesService, type SilenceView } from '@faultline/notifications';
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
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/v1')
export class RoutingController {
  constructor(private readonly rules: RoutingRulesService) {}

  @Post('routes')
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Route incidents to channels: {name, match: {services?, causeKinds?, causeKeys? (trailing * for a prefix), labels?, severity?}, channelIds, repeatIntervalMs?}. A channel no route names receives every incident.',
  })
  createRoute(@Body() body: unknown): Promise<RouteView> {
    return this.rules.createRoute(body);
  }

  @Get('routes')
  @RequireScope('read')
  async routes(): Promise<{ items: RouteView[] }> {
    return { items: await this.rules.routes() };
  }

  @Delete('routes/:id')
  @RequireScope('admin')
  @HttpCode(204)
  async deleteRoute(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.rules.deleteRoute(id);
  }

  @Post('silences')
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Silence matching incidents from startsAt (default now) to endsAt: their notifications are recorded as silenced, not sent',
  })
  createSilence(@Body() body: unknown): Promise<SilenceView> {
    return this.rules.createSilence(body);
  }

  @Get('silences')
  @RequireScope('read')
  async silences(): Promise<{ items: SilenceView[] }> {
    return { items: await this.rules.silences() };
  }

  @Post('silences/:id/expire')
  @RequireScope('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'End a silence now (it stays on record)' })
  expire(@Param('id', new ParseUUIDPipe()) id: string): Promise<SilenceView> {
    return this.rules.expireSilence(id);
  }
}
