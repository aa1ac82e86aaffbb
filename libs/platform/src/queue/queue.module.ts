import { Global, Module } from '@nestjs/common';

import { JobProducer } from './job-producer.service';
import { JobWorkers } from './job-workers.service';

/** BullMQ for the process: the producer for every queue, and workers for those that consume. */
@Global()
@Module({ providers: [JobProducer, JobWorkers], exports: [JobProducer, JobWorkers] })
export class QueueModule {}
