// @faultline/correlation: the pure engine (data in, incidents out). The worker's side (Nest,
// Postgres: feeding the engine, persisting incidents, aliases) is @faultline/correlation/service.
export * from './engine';
