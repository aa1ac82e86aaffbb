export const iso = (value: Date): string => value.toISOString();

/** False for text Postgres cannot hold (NUL): such a name cannot exist, and must not reach a query. */
export const storable = (...values: string[]): boolean =>
  values.every((v) => !v.includes('\u0000'));
