import { describe, expect, it } from 'vitest';
import { parseEnv } from './config.js';

describe('parseEnv', () => {
  it('takes defaults for unset and empty variables', () => {
    expect(parseEnv({ PORT: '', HOST: '  ' })).toEqual({ ok: true, options: {} });
  });

  it('reads every variable', () => {
    const result = parseEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      SAMPLE_API_ERROR_RATIO: '0.05',
      SAMPLE_API_LATENCY_MS: '50',
      SAMPLE_API_ADMIN: '1',
      SAMPLE_API_SELF_TRAFFIC_RPS: '5',
      SAMPLE_API_SHUTDOWN_DELAY_MS: '3000',
      SAMPLE_API_SHUTDOWN_TIMEOUT_MS: '20000',
      SAMPLE_API_ACCESS_LOG: 'false',
      APP_VERSION: '1.2.3',
      GIT_COMMIT: 'abc123',
    });
    expect(result).toEqual({
      ok: true,
      options: {
        port: 0,
        host: '127.0.0.1',
        behaviour: { errorRatio: 0.05, latencyMs: 50 },
        admin: true,
        selfTrafficRps: 5,
        shutdownDelayMs: 3000,
        shutdownTimeoutMs: 20000,
        accessLog: false,
        version: '1.2.3',
        commit: 'abc123',
      },
    });
  });

  it('reports each bad variable with its value and the allowed range', () => {
    expect(parseEnv({ SAMPLE_API_ERROR_RATIO: 'abc', PORT: '70000', SAMPLE_API_ADMIN: 'maybe', SAMPLE_API_LATENCY_MS: '1.5e9' })).toEqual({
      ok: false,
      errors: [
        'PORT="70000": expected an integer from 0 to 65535',
        'SAMPLE_API_ERROR_RATIO="abc": expected a number from 0 to 1',
        'SAMPLE_API_LATENCY_MS="1.5e9": expected a number from 0 to 60000',
        'SAMPLE_API_ADMIN="maybe": expected 1 or 0 (true/false)',
      ],
    });
    expect(parseEnv({ SAMPLE_API_SELF_TRAFFIC_RPS: '-1' })).toMatchObject({ ok: false });
    expect(parseEnv({ PORT: '80.5' })).toMatchObject({ ok: false });
  });
});
