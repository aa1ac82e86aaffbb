import { ReportIntakeModule } from '@faultline/ingest';
import { Module } from '@nestjs/common';

import { UnresolvedComponentRepository } from './components/unresolved-component.repository';
import { ComponentMappingRepository } from './mappings/component-mapping.repository';
import { ComponentMappingService } from './mappings/component-mapping.service';
import { TargetPoller } from './poll/target-poller.service';
import { PushIntake } from './push/push-intake.service';
import { PushSourceService } from './push/push-source';
import { PushSourceRepository } from './push/push-source.repository';
import { PollScheduler } from './targets/poll-scheduler';
import { PollTargetRepository } from './targets/poll-target.repository';
import { PollTargetService } from './targets/poll-target.service';
import { TargetFileLoader } from './targets/target-file';

/** Collectors: push endpoints' intake, poll targets and their schedulers, the poller itself, the fleet-wide mapping. */
@Module({
  imports: [ReportIntakeModule],
  providers: [
    UnresolvedComponentRepository,
    ComponentMappingRepository,
    ComponentMappingService,
    PushSourceRepository,
    PushSourceService,
    PushIntake,
    PollTargetRepository,
    PollScheduler,
    PollTargetService,
    TargetFileLoader,
    TargetPoller,
  ],
  exports: [
    UnresolvedComponentRepository,
    ComponentMappingService,
    PushSourceService,
    PushIntake,
    PollTargetService,
    PollScheduler,
    PollTargetRepository,
    TargetFileLoader,
    TargetPoller,
  ],
})
export class CollectorsModule {}
