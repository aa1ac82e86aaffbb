import { IncidentsModule } from '@faultline/incidents';
import { Module } from '@nestjs/common';
import { ChannelHealth } from './channels/channel-health';
import { ChannelService } from './channels/channel.service';
import { ChannelRateLimiter } from './delivery/channel-rate-limiter';
import { NotificationLogRepository } from './delivery/notification-log.repository';
import { NotificationPlanner } from './delivery/notification-planner.service';
import { NotificationSender } from './delivery/notification-sender.service';
import { RoutingRulesService } from './routing/routing-rules.service';

/** Channels, routes, silences, the delivery log, planning and delivery. */
@Module({
  imports: [IncidentsModule],
  providers: [
    ChannelService,
    ChannelHealth,
    RoutingRulesService,
    NotificationLogRepository,
    NotificationPlanner,
    ChannelRateLimiter,
    NotificationSender,
  ],
  exports: [
    ChannelService,
    ChannelHealth,
    RoutingRulesService,
    NotificationLogRepository,
    NotificationPlanner,
    NotificationSender,
  ],
})
export class NotificationsModule {}
