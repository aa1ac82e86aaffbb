export interface PollOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Names the awaited condition in the timeout error. */
  what: string;
}

/**
 * Calls `probe` every `intervalMs` until it returns a value other than null, and returns that
 * value; fails after `timeoutMs` with the last error the probe threw, if any.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | null>,
  { timeoutMs, intervalMs, what }: PollOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null) return value;
      lastError = null;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
