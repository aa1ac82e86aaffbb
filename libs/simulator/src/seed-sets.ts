/**
 * Which seeds are for what: engineers tune the engine on the tuning seeds and report figures on
 * the report seeds (never tuned on, so the reported figures are not fitted to them).
 */
export const TUNING_SEEDS: readonly number[] = [1, 2, 3, 4];
export const REPORT_SEEDS: readonly number[] = [5, 6, 7, 8, 9, 10, 11, 12];

export type SeedSetName = 'tune' | 'report';

export const SEED_SETS: Readonly<Record<SeedSetName, readonly number[]>> = {
  tune: TUNING_SEEDS,
  report: REPORT_SEEDS,
};
