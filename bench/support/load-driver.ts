import { performance } from 'node:perf_hooks';

import autocannon from 'autocannon';

export interface LoadOptions {
  /** Full URL of the ingest endpoint. */
  url: string;
  token: string;
  connections: number;
  /** After this, no new request starts; those in flight are answered before the run ends. */
  durationMs: number;
  /** Each body is sent once, in order; the run also ends when they are all sent. */
  bodies: readonly Buffer[];
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

/**
 * Drives POSTs with autocannon: `connections` keep-alive connections, each sending the next
 * unsent body as soon as its previous request is answered. Stops gracefully: at the deadline
 * each connection closes once its request in flight is answered, so (unlike autocannon's
 * duration mode) every body sent is accounted for.
 */
export function runLoad(options: LoadOptions): Promise<LoadOutcome> {
  const { bodies } = options;
  // Every connection takes a body as it is created, so there must be one for each.
  const connections = Math.min(options.connections, bodies.length);
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
    path: new URL(options.url).pathname,
    headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
    setupRequest: (params, context) => {
      // Unreachable while the stop works: sending stops when the last body goes out.
      if (nextBody >= bodies.length) throw new Error('body pool exhausted');
      const index = nextBody++;
      context.bodyIndex = index;
      inFlight.add(index);
      if (nextBody === bodies.length) {
        poolExhausted = true;
        stopSending();
      }
      return { ...params, body: bodies[index] };
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

  const startedAt = performance.now();
  return new Promise<LoadOutcome>((resolve, reject) => {
    const deadline = setTimeout(stopSending, options.durationMs);
    autocannon(
      {
        url: options.url,
        connections,
        duration: Math.ceil(options.durationMs / 1000) + HARD_STOP_GRACE_S,
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
