import { MAX_LATENCY_MS } from './behaviour.js';
import { SelfTraffic } from './self-traffic.js';
import type { SampleApiOptions } from './server.js';

/** Environment variables the bin reads, with their meaning; printed by --help. */
export const ENVIRONMENT_HELP: ReadonlyArray<readonly [string, string]> = [
  ['PORT', 'TCP port, 0-65535; 0 picks a free port (default 8080)'],
  ['HOST', 'interface to bind (default 0.0.0.0)'],
  ['SAMPLE_API_ERROR_RATIO', 'share of /api requests answered 500, 0-1, spread evenly (default 0)'],
  ['SAMPLE_API_LATENCY_MS', `milliseconds added to each /api response, 0-${MAX_LATENCY_MS} (default 0)`],
  ['SAMPLE_API_ADMIN', '1 enables PUT /admin/behaviour (default 0)'],
  ['SAMPLE_API_SELF_TRAFFIC_RPS', `requests per second sent to its own /api/cases, 0-${SelfTraffic.MAX_RPS} (default 0)`],
  ['SAMPLE_API_SHUTDOWN_DELAY_MS', 'after SIGTERM, milliseconds /readyz answers 503 before the listener closes (default 0)'],
  ['SAMPLE_API_SHUTDOWN_TIMEOUT_MS', 'longest wait for in-flight requests after the listener closes (default 10000)'],
  ['SAMPLE_API_ACCESS_LOG', '1 logs every /api request (default 0)'],
  ['APP_VERSION', 'version label of sample_api_build_info (default unknown)'],
  ['GIT_COMMIT', 'commit label of sample_api_build_info (default unknown)'],
];

export type ConfigResult = { ok: true; options: SampleApiOptions } | { ok: false; errors: string[] };

/**
 * Turns the environment into server options. Unset and empty variables take defaults; every bad value is
 * reported (name, value, what is allowed), not just the first.
 */
export function parseEnv(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const errors: string[] = [];
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const number = (name: string, min: number, max: number, integer: boolean): number | undefined => {
    const raw = value(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      errors.push(`${name}=${JSON.stringify(raw)}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
      return undefined;
    }
    return n;
  };
  const flag = (name: string): boolean | undefined => {
    const raw = value(name);
    if (raw === undefined) return undefined;
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
    errors.push(`${name}=${JSON.stringify(raw)}: expected 1 or 0 (true/false)`);
    return undefined;
  };

  const options: Record<string, unknown> = {};
  const set = (key: keyof SampleApiOptions, v: unknown) => {
    if (v !== undefined) options[key] = v;
  };
  set('port', number('PORT', 0, 65535, true));
  set('host', value('HOST'));
  const errorRatio = number('SAMPLE_API_ERROR_RATIO', 0, 1, false);
  const latencyMs = number('SAMPLE_API_LATENCY_MS', 0, MAX_LATENCY_MS, false);
  set('behaviour', errorRatio === undefined && latencyMs === undefined ? undefined : { errorRatio: errorRatio ?? 0, latencyMs: latencyMs ?? 0 });
  set('admin', flag('SAMPLE_API_ADMIN'));
  set('selfTrafficRps', number('SAMPLE_API_SELF_TRAFFIC_RPS', 0, SelfTraffic.MAX_RPS, false));
  set('shutdownDelayMs', number('SAMPLE_API_SHUTDOWN_DELAY_MS', 0, 600_000, true));
  set('shutdownTimeoutMs', number('SAMPLE_API_SHUTDOWN_TIMEOUT_MS', 0, 600_000, true));
  set('accessLog', flag('SAMPLE_API_ACCESS_LOG'));
  set('version', value('APP_VERSION'));
  set('commit', value('GIT_COMMIT'));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, options: options as SampleApiOptions };
}
