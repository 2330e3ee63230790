/**
 * Injected misbehaviour for tests of the platform (canary analysis, alert rules): an error ratio and added latency.
 * Errors are spread deterministically, not drawn at random, so a test can predict exactly which requests fail.
 */

export interface Behaviour {
  /** Share of traffic requests answered 500, 0 ≤ r ≤ 1, with a resolution of one part per million. */
  readonly errorRatio: number;
  /** Delay added before every traffic response, 0 ≤ ms ≤ 60000. */
  readonly latencyMs: number;
}

export const DEFAULT_BEHAVIOUR: Behaviour = { errorRatio: 0, latencyMs: 0 };
export const MAX_LATENCY_MS = 60_000;

/** The ratio as an integer count per million, so the spread is exact integer arithmetic (0.05·1000 has no float error). */
const PPM = 1_000_000;
function toPpm(ratio: number): number {
  return Math.round(ratio * PPM);
}

/**
 * Whether request `n` (1-based) fails under `errorRatio`: when floor(n·r) > floor((n−1)·r), a Bresenham-style
 * spread. Over the first N requests exactly floor(N·r) fail, evenly spaced (r = 0.05: requests 20, 40, 60, …).
 */
export function shouldFail(n: number, errorRatio: number): boolean {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`request number must be a positive integer, got ${n}`);
  const ppm = toPpm(errorRatio);
  return Math.floor((n * ppm) / PPM) > Math.floor(((n - 1) * ppm) / PPM);
}

/** Counts traffic requests and decides which fail; a new behaviour restarts the count so its spread is exact. */
export class ErrorSpread {
  private n = 0;
  constructor(private ratio: number) {}

  get requests(): number {
    return this.n;
  }

  reset(ratio: number): void {
    this.ratio = ratio;
    this.n = 0;
  }

  /** Registers one request; true when it must fail. */
  next(): boolean {
    this.n += 1;
    return shouldFail(this.n, this.ratio);
  }
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

function checkRatio(value: unknown, field: string): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${field} must be a number between 0 and 1, got ${JSON.stringify(value)}`;
  if (value < 0 || value > 1) return `${field} must be between 0 and 1, got ${value}`;
  return undefined;
}

function checkLatency(value: unknown, field: string): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return `${field} must be a number of milliseconds between 0 and ${MAX_LATENCY_MS}, got ${JSON.stringify(value)}`;
  }
  if (value < 0 || value > MAX_LATENCY_MS) return `${field} must be between 0 and ${MAX_LATENCY_MS} milliseconds, got ${value}`;
  return undefined;
}

/**
 * Validates a behaviour update (the body of PUT /admin/behaviour): an object with errorRatio and/or latencyMs.
 * Fields left out keep their value in `current`.
 */
export function validateBehaviourUpdate(input: unknown, current: Behaviour): Validation<Behaviour> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: ['body must be a JSON object like {"errorRatio":0.05,"latencyMs":50}'] };
  }
  const record = input as Record<string, unknown>;
  const errors: string[] = [];
  const unknown = Object.keys(record).filter((k) => k !== 'errorRatio' && k !== 'latencyMs');
  if (unknown.length > 0) errors.push(`unknown field(s) ${unknown.join(', ')}: only errorRatio and latencyMs can be set`);
  if (!('errorRatio' in record) && !('latencyMs' in record)) errors.push('give errorRatio and/or latencyMs');
  if ('errorRatio' in record) {
    const e = checkRatio(record.errorRatio, 'errorRatio');
    if (e) errors.push(e);
  }
  if ('latencyMs' in record) {
    const e = checkLatency(record.latencyMs, 'latencyMs');
    if (e) errors.push(e);
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      errorRatio: 'errorRatio' in record ? (record.errorRatio as number) : current.errorRatio,
      latencyMs: 'latencyMs' in record ? (record.latencyMs as number) : current.latencyMs,
    },
  };
}

/** Validates a complete behaviour (createServer options). Throws with every problem listed. */
export function assertBehaviour(behaviour: Behaviour): Behaviour {
  const errors = [checkRatio(behaviour.errorRatio, 'errorRatio'), checkLatency(behaviour.latencyMs, 'latencyMs')].filter(Boolean);
  if (errors.length > 0) throw new Error(`invalid behaviour: ${errors.join('; ')}`);
  return { errorRatio: behaviour.errorRatio, latencyMs: behaviour.latencyMs };
}
