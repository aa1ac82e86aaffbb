import { createContext, Script } from 'node:vm';

import type { PollTarget } from '../targets/poll-target.model';
import { type PollAnswer, type PollReports, pollReports } from './poll-reports';

/** Thrown by runWithin when `fn` ran past its time. */
export class TimeBoundExceeded extends Error {
  constructor(readonly ms: number) {
    super(`took more than ${ms} ms`);
    this.name = 'TimeBoundExceeded';
  }
}

// One context, one compiled call: a bounded run only hands `fn` in and its result out.
const context = createContext({ task: null as (() => unknown) | null, result: undefined });
const call = new Script('result = task(); task = null;');

/**
 * Runs a synchronous `fn` and stops it after `ms` of wall time, wherever it is: V8 terminates
 * the running script (node:vm's timeout), `fn` included, and TimeBoundExceeded is thrown. For
 * pure work only (reading a document): whatever `fn` was building is dropped half-built.
 */
export function runWithin<T>(ms: number, fn: () => T): T {
  context.task = fn;
  context.result = undefined;
  try {
    call.runInContext(context, { timeout: ms, breakOnSigint: false });
  } catch (e) {
    context.task = null;
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
      throw new TimeBoundExceeded(ms);
    throw e;
  }
  const result = context.result as T;
  context.result = undefined;
  return result;
}

/**
 * pollReports with a hard time bound on reading the answer (POLL_ADAPT_TIMEOUT_MS): an answer
 * that takes longer to read makes the target unreachable with that reason, so the poll job
 * ends normally instead of stalling its worker (and being retried on every worker in turn).
 */
export function boundedPollReports(
  target: PollTarget,
  answer: PollAnswer,
  collectorId: string,
  now: number,
  timeoutMs: number,
): PollReports {
  try {
    return runWithin(timeoutMs, () => pollReports(target, answer, collectorId, now));
  } catch (e) {
    if (!(e instanceof TimeBoundExceeded) || !answer.ok) throw e;
    const { response } = answer;
    return pollReports(
      target,
      {
        ok: false,
        reason: 'protocol',
        message: `answered HTTP ${response.status} (${response.body.length} characters) that took more than ${timeoutMs} ms to read (POLL_ADAPT_TIMEOUT_MS): not read`,
      },
      collectorId,
      now,
    );
  }
}
