import { Global, Module } from '@nestjs/common';

import { InFlightRegistry } from './in-flight-registry.service';
import { JobProducer } from './job-producer.service';
import { JobWorkers } from './job-workers.service';

/**
 * BullMQ for the process: the producer for every queue, workers for those that consume, and
 * the registry of event times in flight between them.
 */
@Global()
@Module({
  providers: [JobProducer, JobWorkers, InFlightRegistry],
  exports: [JobProducer, JobWorkers, InFlightRegistry],
})
export class QueueModule {}
