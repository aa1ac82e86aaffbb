// autocannon and pg-copy-streams ship without type definitions (and no @types package is
// installed); these declare just the parts the benchmark uses.

declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    /** Per-connection scratch object; autocannon resets it before each request it builds. */
    type RequestContext = Record<string, unknown>;

    interface RequestParams {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      /** Called before every request a connection sends; returns the request to send. */
      setupRequest?: (request: RequestParams, context: RequestContext) => RequestParams | null;
      onResponse?: (
        status: number,
        body: string,
        context: RequestContext,
        headers: Record<string, string | string[]>,
      ) => void;
    }

    /** One connection. Setting responseMax makes it close after that many requests. */
    interface Client extends EventEmitter {
      reqsMade: number;
      responseMax?: number;
    }

    interface Options {
      /** Several URLs: connection i goes to url i mod n. */
      url: string | string[];
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Per-request timeout, seconds. */
      timeout?: number;
      requests?: RequestParams[];
      setupClient?: (client: Client) => void;
    }

    /** hdr-histogram summary; percentiles are named p50, p90, p99, p99_9, ... */
    interface Histogram {
      average: number;
      stddev: number;
      min: number;
      max: number;
      p50: number;
      p90: number;
      p99: number;
      p99_9: number;
    }

    interface Result {
      latency: Histogram;
      errors: number;
      timeouts: number;
      non2xx: number;
      resets: number;
      statusCodeStats: Record<string, { count: number }>;
      /** Seconds. */
      duration: number;
    }
  }

  function autocannon(
    options: autocannon.Options,
    callback: (error: Error | null, result: autocannon.Result) => void,
  ): EventEmitter & { stop(): void };
  export = autocannon;
}

declare module 'pg-copy-streams' {
  import type { Writable } from 'node:stream';

  /** A `COPY ... FROM STDIN` query: pass it to client.query(), write rows, end it. */
  interface CopyFromStream extends Writable {
    submit(connection: unknown): void;
    rowCount: number;
  }

  export function from(sql: string): CopyFromStream;
}
