import { IncidentsModule } from '@faultline/incidents';
import { Module } from '@nestjs/common';

import { ChannelRepository } from './channels/channel.repository';
import { ChannelService } from './channels/channel.service';
import { ChannelHealth } from './channels/channel-health';
import { ChannelRateLimiter } from './delivery/channel-rate-limiter';
import { NotificationLogRepository } from './delivery/notification-log.repository';
import { NotificationScheduler } from './delivery/notification-scheduler.service';
import { NotificationSender } from './delivery/notification-sender.service';
import { RouteRepository } from './routing/route.repository';
import { RoutingRulesService } from './routing/routing-rules.service';
import { SilenceRepository } from './routing/silence.repository';

/** Channels, routes, silences, the delivery log, planning and delivery. */
@Module({
  imports: [IncidentsModule],
  providers: [
    ChannelRepository,
    ChannelService,
    ChannelHealth,
    RouteRepository,
    SilenceRepository,
    RoutingRulesService,
    NotificationLogRepository,
    NotificationScheduler,
    ChannelRateLimiter,
    NotificationSender,
  ],
  exports: [
    ChannelService,
    ChannelHealth,
    RoutingRulesService,
    NotificationLogRepository,
    NotificationScheduler,
    NotificationSender,
  ],
})
export class NotificationsModule {}
