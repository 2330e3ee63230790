import { describe, expect, it } from 'vitest';
import { ErrorSpread, shouldFail, validateBehaviourUpdate } from './behaviour.js';

const failures = (ratio: number, requests: number) => {
  const failed: number[] = [];
  for (let n = 1; n <= requests; n++) if (shouldFail(n, ratio)) failed.push(n);
  return failed;
};

describe('error spread', () => {
  it('fails exactly 50 of 1000 requests at r = 0.05, every 20th', () => {
    const failed = failures(0.05, 1000);
    expect(failed).toHaveLength(50);
    expect(failed.slice(0, 3)).toEqual([20, 40, 60]);
    expect(failed.at(-1)).toBe(1000);
  });

  it('fails floor(N·r) of the first N requests for ratios that are inexact in binary', () => {
    for (const [ratio, n, expected] of [
      [0.29, 100, 29],
      [0.1, 1000, 100],
      [0.07, 300, 21],
      [1 / 3, 10, 3],
      [0.001, 999, 0],
      [0.001, 1000, 1],
    ] as const) {
      expect(failures(ratio, n), `r=${ratio} N=${n}`).toHaveLength(expected);
    }
  });

  it('never fails at 0 and always fails at 1', () => {
    expect(failures(0, 500)).toEqual([]);
    expect(failures(1, 500)).toHaveLength(500);
  });

  it('restarts the count when the ratio changes', () => {
    const spread = new ErrorSpread(0.5);
    expect([spread.next(), spread.next(), spread.next()]).toEqual([false, true, false]);
    spread.reset(0.25);
    expect(spread.requests).toBe(0);
    expect([1, 2, 3, 4].map(() => spread.next())).toEqual([false, false, false, true]);
  });
});

describe('behaviour update validation', () => {
  const current = { errorRatio: 0.1, latencyMs: 20 };

  it('accepts a full or partial update and keeps the fields left out', () => {
    expect(validateBehaviourUpdate({ errorRatio: 0.05, latencyMs: 50 }, current)).toEqual({ ok: true, value: { errorRatio: 0.05, latencyMs: 50 } });
    expect(validateBehaviourUpdate({ latencyMs: 0 }, current)).toEqual({ ok: true, value: { errorRatio: 0.1, latencyMs: 0 } });
    expect(validateBehaviourUpdate({ errorRatio: 1, latencyMs: 60000 }, current).ok).toBe(true);
  });

  it('lists every problem', () => {
    const result = validateBehaviourUpdate({ errorRatio: 1.5, latencyMs: -1, extra: true }, current);
    expect(result).toEqual({
      ok: false,
      errors: [
        'unknown field(s) extra: only errorRatio and latencyMs can be set',
        'errorRatio must be between 0 and 1, got 1.5',
        'latencyMs must be between 0 and 60000 milliseconds, got -1',
      ],
    });
    expect(validateBehaviourUpdate({ errorRatio: '0.5' }, current)).toMatchObject({ ok: false, errors: ['errorRatio must be a number between 0 and 1, got "0.5"'] });
    expect(validateBehaviourUpdate({ latencyMs: 60001 }, current)).toMatchObject({ ok: false });
    expect(validateBehaviourUpdate({}, current)).toMatchObject({ ok: false, errors: ['give errorRatio and/or latencyMs'] });
    expect(validateBehaviourUpdate([1], current)).toMatchObject({ ok: false });
  });
});
