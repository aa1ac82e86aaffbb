import { CollectorsModule } from '@faultline/collectors';
import { Module } from '@nestjs/common';

import { ChangeRepository } from './change.repository';
import { ChangeIntake } from './change-intake.service';
import { ChangeQueryService } from './change-query.service';
import { ChangeRetention } from './change-retention.service';

/**
 * Changes: intake (native and the senders' formats), queries and retention. Needs the app's
 * TypeORM DataSource and QueueModule; push sources (GitHub's webhook secret) come from collectors.
 */
@Module({
  imports: [CollectorsModule],
  providers: [ChangeRepository, ChangeIntake, ChangeQueryService, ChangeRetention],
  exports: [ChangeIntake, ChangeQueryService, ChangeRetention],
})
export class ChangesModule {}
