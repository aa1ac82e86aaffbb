import { performance } from 'node:perf_hooks';

import autocannon from 'autocannon';

export interface LoadOptions {
  /**
   * Full URL of the ingest endpoint, one per api process: connection i goes to url i mod n,
   * so the connections spread evenly when their number is a multiple of the URLs'.
   */
  urls: string[];
  token: string;
  connections: number;
  /** After this, no new request starts; those in flight are answered before the run ends. */
  durationMs: number;
  /** The deadline waits until at least this many bodies are sent (0 unless given). */
  minBodies?: number;
  /** Each body is sent once, in order; the run also ends when they are all sent. */
  bodies: { size: number; body(index: number): Buffer };
  requestTimeoutS: number;
}

export interface LoadOutcome {
  /** performance.now() when the run started. */
  startedAt: number;
  /** From the start to the last answer. */
  elapsedMs: number;
  bodiesSent: number;
  answered: number;
  acceptedRequests: number;
  /** Sum of `accepted` over the 202 answers. */
  acceptedReports: number;
  /** Answers other than 202, by status code. */
  refusedByStatus: Record<string, number>;
  /** A few refusals, "<status> <body>", to see why. */
  refusalSamples: string[];
  latencyMs: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  /**
   * Bodies that were not answered 202 (refused, timed out, cut off): the api may or may not
   * have stored their reports, so the lost-nothing check counts them apart.
   */
  uncertainBodies: number[];
  poolExhausted: boolean;
}

// autocannon's own duration only backs up the graceful stop below: it cuts requests in flight.
const HARD_STOP_GRACE_S = 60;
const MIN_BODY_ALLOWANCE_S = 30;

/**
 * Drives POSTs with autocannon: `connections` keep-alive connections, each sending the next
 * unsent body as soon as its previous request is answered. Stops gracefully: at the deadline
 * each connection closes once its request in flight is answered, so (unlike autocannon's
 * duration mode) every body sent is accounted for. With `minBodies`, the deadline waits until
 * that many bodies are out (a fleet phase sends every instance's reports however long it takes).
 */
export function runLoad(options: LoadOptions): Promise<LoadOutcome> {
  const { bodies } = options;
  const minBodies = Math.min(options.minBodies ?? 0, bodies.size);
  // Every connection takes a body as it is created, so there must be one for each.
  const connections = Math.min(options.connections, bodies.size);
  const clients: autocannon.Client[] = [];
  const inFlight = new Set<number>();
  const refused: number[] = [];
  const refusedByStatus: Record<string, number> = {};
  const refusalSamples: string[] = [];
  let nextBody = 0;
  let answered = 0;
  let acceptedRequests = 0;
  let acceptedReports = 0;
  let lastAnswerAt = 0;
  let stopping = false;
  let pastDeadline = false;
  let poolExhausted = false;

  // A client sends no request beyond responseMax; it closes once the one in flight is answered.
  const closeAfterCurrent = (client: autocannon.Client) =>
    (client.responseMax = Math.max(1, client.reqsMade));
  const stopSending = () => {
    stopping = true;
    clients.forEach(closeAfterCurrent);
  };

  const request: autocannon.RequestParams = {
    method: 'POST',
    path: new URL(options.urls[0]).pathname,
    headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
    setupRequest: (params, context) => {
      // Unreachable while the stop works: sending stops when the last body goes out.
      if (nextBody >= bodies.size) throw new Error('body pool exhausted');
      const index = nextBody++;
      context.bodyIndex = index;
      inFlight.add(index);
      if (nextBody === bodies.size) {
        poolExhausted = true;
        stopSending();
      } else if (pastDeadline && nextBody === minBodies) stopSending();
      return { ...params, body: bodies.body(index) };
    },
    onResponse: (status, body, context) => {
      const index = context.bodyIndex as number;
      inFlight.delete(index);
      answered++;
      lastAnswerAt = performance.now();
      const accepted = status === 202 ? acceptedCount(body) : null;
      if (accepted !== null) {
        acceptedRequests++;
        acceptedReports += accepted;
        return;
      }
      refused.push(index);
      refusedByStatus[status] = (refusedByStatus[status] ?? 0) + 1;
      if (refusalSamples.length < 5) refusalSamples.push(`${status} ${body.slice(0, 300)}`);
    },
  };

  const onDeadline = () => {
    pastDeadline = true;
    if (nextBody >= minBodies) stopSending();
  };
  // Past the deadline the minimum is still sent: allow each connection 30 s a request for it.
  const hardStopS =
    Math.ceil(options.durationMs / 1000) +
    Math.ceil(minBodies / connections) * MIN_BODY_ALLOWANCE_S +
    HARD_STOP_GRACE_S;
  const startedAt = performance.now();
  return new Promise<LoadOutcome>((resolve, reject) => {
    const deadline = setTimeout(onDeadline, options.durationMs);
    autocannon(
      {
        url: options.urls,
        connections,
        duration: hardStopS,
        timeout: options.requestTimeoutS,
        requests: [request],
        setupClient: (client) => {
          clients.push(client);
          if (stopping) closeAfterCurrent(client);
        },
      },
      (error, result) => {
        clearTimeout(deadline);
        if (error) return reject(error);
        resolve({
          startedAt,
          elapsedMs: (lastAnswerAt || performance.now()) - startedAt,
          bodiesSent: nextBody,
          answered,
          acceptedRequests,
          acceptedReports,
          refusedByStatus,
          refusalSamples,
          latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
          errors: result.errors,
          timeouts: result.timeouts,
          uncertainBodies: [...inFlight, ...refused].sort((a, b) => a - b),
          poolExhausted,
        });
      },
    );
  });
}

/** `accepted` of a 202 answer, or null when the answer is not the contract's shape. */
function acceptedCount(body: string): number | null {
  try {
    const parsed = JSON.parse(body) as { accepted?: unknown };
    return typeof parsed.accepted === 'number' ? parsed.accepted : null;
  } catch {
    return null;
  }
}
