import { NotificationPlanner, NotificationSender } from '@faultline/notifications';
import type { JobName, JobPayloads } from '@faultline/platform';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';

/** Notification jobs: plan what to send about incidents, deliver one message, sweep. */
@Injectable()
export class NotificationProcessor {
  constructor(
    private readonly planner: NotificationPlanner,
    private readonly sender: NotificationSender,
  ) {}

  plan(data: JobPayloads[JobName.PlanNotifications]) {
    return this.planner.plan(data.incidentIds);
  }

  deliver(data: JobPayloads[JobName.DeliverNotification], job: Job, token?: string) {
    return this.sender.deliver(data.notificationId, job, token);
  }

  sweep() {
    return this.planner.sweep();
  }
}
