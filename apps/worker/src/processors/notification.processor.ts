import { NotificationScheduler, NotificationSender } from '@faultline/notifications';
import type { JobName, JobPayloads } from '@faultline/platform';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';

/** Notification jobs: schedule what to send about incidents, deliver one message, sweep. */
@Injectable()
export class NotificationProcessor {
  constructor(
    private readonly scheduler: NotificationScheduler,
    private readonly sender: NotificationSender,
  ) {}

  plan(data: JobPayloads[JobName.PlanNotifications]) {
    return this.scheduler.schedule(data.incidentIds);
  }

  deliver(data: JobPayloads[JobName.DeliverNotification], job: Job, token?: string) {
    return this.sender.deliver(data.notificationId, job, token);
  }

  sweep() {
    return this.scheduler.sweep();
  }
}
