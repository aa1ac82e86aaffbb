/** A minimal client for the Faultline API under test: bearer token, JSON in and out. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
  }

  /** POSTs reports and insists on 202: a benchmark that silently lost reports would measure nothing. */
  async postReports(reports: object[]): Promise<void> {
    const res = await this.call('POST', '/api/v1/reports', reports);
    if (res.status !== 202)
      throw new Error(
        `POST /api/v1/reports answered ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`,
      );
  }
}

/** The incident fields the benchmarks read (docs/CONTRACT.md plus the detail's additions). */
export interface ApiIncident {
  id: string;
  status: 'open' | 'resolved';
  openedAt: string;
  rootCauses: { key: string; confidence: number; summary: string }[];
  affected: { services: string[]; instances: number; instanceKeys?: string[] };
  timeline?: { at: string; what: string; topCause?: string }[];
}
