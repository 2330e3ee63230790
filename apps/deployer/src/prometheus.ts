import { redactUrl } from './redact.js';

/** The one thing analysis needs from Prometheus: an instant query's scalar answer. */
export interface MetricsSource {
  /** The first sample's value; null when the result is empty or not a number. */
  query(promql: string): Promise<number | null>;
  /** Where the values come from, credentials removed, for the evidence log. */
  readonly description: string;
}

export class PrometheusQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusQueryError';
  }
}

interface ApiResponse {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/** Prometheus HTTP API client (`/api/v1/query`). Credentials in the URL become a Basic header, never a log line. */
export class PrometheusClient implements MetricsSource {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  readonly description: string;

  constructor(
    url: string,
    private readonly timeoutMs = 10_000,
    bearerToken: string | undefined = process.env['CIOS_PROMETHEUS_TOKEN'],
  ) {
    const parsed = new URL(url);
    this.headers = { accept: 'application/json' };
    if (parsed.username || parsed.password) {
      const user = decodeURIComponent(parsed.username);
      const pass = decodeURIComponent(parsed.password);
      this.headers['authorization'] = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      parsed.username = '';
      parsed.password = '';
    } else if (bearerToken) {
      this.headers['authorization'] = `Bearer ${bearerToken}`;
    }
    this.base = parsed.toString().replace(/\/+$/, '');
    this.description = redactUrl(this.base);
  }

  async query(promql: string): Promise<number | null> {
    const url = `${this.base}/api/v1/query?query=${encodeURIComponent(promql)}`;
    let response: Response;
    try {
      response = await fetch(url, { headers: this.headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new PrometheusQueryError(`Prometheus at ${this.description} unreachable: ${(error as Error).message}`);
    }
    let body: ApiResponse;
    try {
      body = (await response.json()) as ApiResponse;
    } catch {
      throw new PrometheusQueryError(`Prometheus at ${this.description} answered HTTP ${response.status} without JSON`);
    }
    if (body.status !== 'success') {
      throw new PrometheusQueryError(`Prometheus rejected the query: ${body.error ?? `HTTP ${response.status}`}`);
    }
    return firstValue(body.data);
  }
}

export function firstValue(data: ApiResponse['data']): number | null {
  const result = data?.result;
  let raw: unknown;
  if (data?.resultType === 'vector' && Array.isArray(result)) {
    raw = (result[0] as { value?: [number, string] } | undefined)?.value?.[1];
  } else if (data?.resultType === 'scalar' && Array.isArray(result)) {
    raw = result[1];
  }
  if (typeof raw !== 'string') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}
