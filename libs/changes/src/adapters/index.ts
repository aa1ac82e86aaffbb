export * from './adapted-change';
export * from './cdevents.adapter';
export * from './github-deployment.adapter';
export * from './pagerduty.adapter';
export * from './validate-adapted';
