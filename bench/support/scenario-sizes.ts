/** Fleet sizes the accuracy runs cycle through, seed by seed (seed 1 → 30 instances, ...). */
const SIZES = [30, 120, 400, 1000, 2500, 5000];

export const scenarioSizes = (max: number): number[] => SIZES.filter((s) => s <= max);
