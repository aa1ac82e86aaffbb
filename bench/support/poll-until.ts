export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Names the awaited condition in the timeout error. */
  what?: string;
  /** Treat a probe that throws as "not yet" (a server still starting) instead of failing at once. */
  retryErrors?: boolean;
}

/**
 * Calls `probe` every `intervalMs` until `done` holds for its value, and returns that value;
 * fails after `timeoutMs` naming what it waited for, the last value seen and the last error.
 * The one polling helper of the benchmarks and the e2e tests (test/ imports it from here,
 * since the benchmarks are compiled without test/).
 */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  {
    timeoutMs = 15_000,
    intervalMs = 100,
    what = 'condition',
    retryErrors = false,
  }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let last: { value: T } | null = null;
  for (;;) {
    try {
      const value = await probe();
      if (done(value)) return value;
      last = { value };
      lastError = null;
    } catch (e) {
      if (!retryErrors) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) {
      const seen = last === null ? '' : `; last value: ${JSON.stringify(last.value)}`;
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}${cause}`);
    }
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
