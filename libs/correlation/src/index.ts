// @faultline/correlation: the pure engine (data in, incidents out) and the Correlate job's
// payload. The process side (Nest, Postgres, BullMQ: leadership, feeding the engine, persisting
// incidents, aliases) is @faultline/correlation/service.
export * from './engine';
