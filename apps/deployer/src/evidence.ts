import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Check, Verdict } from './analysis.js';

/** One line of the evidence log: what was asked, what came back, and what it meant. */
export interface EvidenceRecord {
  readonly type: 'check';
  readonly deployment: string;
  readonly round: number;
  readonly check: string;
  readonly service: string;
  readonly kind: Check['kind'];
  readonly query: string;
  readonly window: string;
  readonly value: number | null;
  readonly requests: number | null;
  readonly threshold: number;
  readonly comparator: Check['comparator'];
  /** Where the threshold and the no-data / low-traffic policy come from (SLO, environment setting). */
  readonly basis: string;
  readonly verdict: Verdict;
  readonly reason: string;
  /** The query's error when Prometheus could not answer (the check was judged as no data). */
  readonly error?: string;
  readonly at: string;
}

export interface EventRecord {
  readonly type: 'event';
  readonly deployment: string;
  readonly event: string;
  readonly details?: string;
  readonly at: string;
}

export type EvidenceLine = EvidenceRecord | EventRecord;

/** Append-only JSON lines: each record is one write, so a crash loses at most the line being written. */
export class EvidenceLog {
  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  append(record: EvidenceLine): void {
    fs.appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }

  static read(file: string): EvidenceLine[] {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    const out: EvidenceLine[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as EvidenceLine);
      } catch {
        // A torn last line from a crash: everything before it still counts.
      }
    }
    return out;
  }
}
