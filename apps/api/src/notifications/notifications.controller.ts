import {
  NOTIFICATION_STATUSES,
  NotificationLogRepository,
  type NotificationRecord,
  type NotificationStatus,
} from '@faultline/notifications';
import { readLimit, RequireScope } from '@faultline/platform';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';

import { IsQueryText, PageQueryDto } from '../http/page-query.dto';

class NotificationLogQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsQueryText(200)
  incident?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  channel?: string;

  @ApiPropertyOptional({ enum: NOTIFICATION_STATUSES })
  @IsOptional()
  @IsIn(NOTIFICATION_STATUSES)
  status?: NotificationStatus;
}

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(private readonly log: NotificationLogRepository) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary:
      'The delivery log, newest first: one row per (incident, event, channel) with status, attempts, last error, and the silences that held it back (skipped: never sent, with the reason in lastError)',
  })
  async list(@Query() query: NotificationLogQueryDto): Promise<{ items: NotificationRecord[] }> {
    return {
      items: await this.log.list(
        { incidentId: query.incident, channelId: query.channel, status: query.status },
        readLimit(query.limit),
      ),
    };
  }
}
