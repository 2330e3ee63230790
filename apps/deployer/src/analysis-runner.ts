import type { AnalysisPolicy } from '@cios/platform-spec';
import {
  type Check,
  type Measurement,
  type RoundState,
  type Verdict,
  combine,
  evaluateCheck,
  finalVerdict,
  initialRoundState,
  nextRoundState,
} from './analysis.js';
import type { EvidenceLog, EvidenceRecord } from './evidence.js';
import type { MetricsSource } from './prometheus.js';

export type AnalysisMode = 'enforce' | 'shadow';

export interface AnalysisOutcome {
  /** pass / fail / inconclusive for the whole bake (fail as soon as the policy says roll back). */
  readonly verdict: Verdict;
  /** True when the deployer should roll back (never in shadow mode). */
  readonly rollback: boolean;
  readonly state: RoundState;
  /** The failing checks of the last failing round: the reason for a rollback. */
  readonly failing: readonly EvidenceRecord[];
  readonly aborted?: string;
  /** When the first failing round was seen and when the rollback decision fell. */
  readonly firstFailureAt?: string;
  readonly decidedAt?: string;
  /** Set when every round so far had query errors: "Prometheus unreachable at <url>: …", for the reason. */
  readonly unreachable?: string;
}

export interface RunAnalysisOptions {
  readonly deploymentId: string;
  readonly checks: readonly Check[];
  readonly policy: AnalysisPolicy;
  readonly source: MetricsSource;
  readonly evidence: EvidenceLog;
  readonly mode: AnalysisMode;
  readonly now?: () => Date;
  /** Waits, returning early with a reason when the deploy is being aborted. */
  readonly sleep: (ms: number) => Promise<string | undefined>;
  readonly onRound?: (round: number, verdict: Verdict, failing: readonly EvidenceRecord[]) => void;
}

export async function measure(check: Check, source: MetricsSource): Promise<Measurement> {
  try {
    const [value, requests] = await Promise.all([
      source.query(check.query),
      check.requestsQuery === undefined ? Promise.resolve(null) : source.query(check.requestsQuery),
    ]);
    return { value, requests };
  } catch (error) {
    return { value: null, requests: null, error: (error as Error).message };
  }
}

/** Watches for the bake window, one round per interval, each check's evidence appended as it comes. */
export async function runAnalysis(o: RunAnalysisOptions): Promise<AnalysisOutcome> {
  const now = o.now ?? (() => new Date());
  const rounds = Math.max(1, Math.floor(o.policy.bakeSeconds / o.policy.intervalSeconds));
  let state = initialRoundState;
  let failing: EvidenceRecord[] = [];
  let firstFailureAt: string | undefined;
  const blind = new QueryErrors(o.source.description);
  for (let round = 1; round <= rounds; round++) {
    const aborted = await o.sleep(o.policy.intervalSeconds * 1000);
    if (aborted !== undefined) return { verdict: 'inconclusive', rollback: false, state, failing, aborted };
    const measured = await Promise.all(o.checks.map(async (c) => ({ check: c, m: await measure(c, o.source) })));
    const at = now().toISOString();
    const records: EvidenceRecord[] = measured.map(({ check, m }) => {
      const r = evaluateCheck(check, m);
      const rec: EvidenceRecord = {
        type: 'check',
        deployment: o.deploymentId,
        round,
        check: check.name,
        service: check.service,
        kind: check.kind,
        query: check.query,
        window: check.window,
        value: m.value,
        requests: m.requests,
        threshold: check.threshold,
        comparator: check.comparator,
        basis: check.basis,
        verdict: r.verdict,
        reason: r.reason,
        ...(m.error !== undefined ? { error: m.error } : {}),
        at,
      };
      o.evidence.append(rec);
      return rec;
    });
    blind.round(records);
    const verdict = combine(records.map((r) => r.verdict));
    const roundFailing = records.filter((r) => r.verdict === 'fail');
    if (verdict === 'fail') {
      failing = roundFailing;
      firstFailureAt ??= at;
    } else if (verdict === 'pass') {
      firstFailureAt = undefined;
    }
    o.onRound?.(round, verdict, roundFailing);
    const next = nextRoundState(state, verdict, o.policy);
    state = next.state;
    if (next.rollback && o.mode === 'enforce') {
      return { verdict: 'fail', rollback: true, state, failing, ...(firstFailureAt ? { firstFailureAt } : {}), decidedAt: at, ...blind.outcome() };
    }
  }
  // A bake that never reached Prometheus judged nothing: whatever the no-data policies made of it, it is not healthy.
  const unreachable = blind.outcome();
  const verdict = unreachable.unreachable ? 'fail' : finalVerdict(state);
  return {
    verdict,
    rollback: verdict === 'fail' && o.mode === 'enforce',
    state,
    failing: unreachable.unreachable && failing.length === 0 ? blind.lastErrored : failing,
    ...(firstFailureAt ? { firstFailureAt } : {}),
    decidedAt: now().toISOString(),
    ...unreachable,
  };
}

/** Counts rounds with query errors, to tell a bake that never reached Prometheus from one that saw no traffic. */
class QueryErrors {
  private rounds = 0;
  private withErrors = 0;
  private first: string | undefined;
  lastErrored: EvidenceRecord[] = [];

  constructor(private readonly where: string) {}

  round(records: readonly EvidenceRecord[]): void {
    this.rounds++;
    const errored = records.filter((r) => r.error !== undefined);
    if (errored.length === 0) return;
    this.withErrors++;
    this.first ??= errored[0]?.error;
    this.lastErrored = errored;
  }

  /** `{ unreachable }` once every round so far had query errors; nothing otherwise. */
  outcome(): { unreachable?: string } {
    if (this.rounds === 0 || this.withErrors < this.rounds) return {};
    return { unreachable: `Prometheus unreachable at ${this.where}: queries failed in ${this.rounds === 1 ? 'the only round' : `all ${this.rounds} rounds`} of the bake (${this.first ?? 'unknown error'})` };
  }
}
