/** Counting passed / failed / skipped tests in a Vitest JSON report or a JUnit XML report. */
import { KbError } from './errors.js';

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  format: 'vitest-json' | 'junit-xml';
}

function invalid(source: string, why: string): never {
  throw new KbError('invalid', `${source}: ${why}`);
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

/** Vitest (and Jest) JSON reporter output. */
export function countVitestJson(text: string, source = 'report'): TestCounts {
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(text) as Record<string, unknown>;
  } catch {
    invalid(source, 'not a JSON test report');
  }
  if (report === null || typeof report !== 'object' || typeof report['numTotalTests'] !== 'number') {
    invalid(source, 'not a Vitest JSON report (no numTotalTests)');
  }
  return {
    passed: num(report['numPassedTests']),
    failed: num(report['numFailedTests']),
    skipped: num(report['numPendingTests']) + num(report['numTodoTests']),
    format: 'vitest-json',
  };
}

/** JUnit XML: counts `<testcase>` elements by their `<failure>`/`<error>`/`<skipped>` children. */
export function countJunitXml(text: string, source = 'report'): TestCounts {
  if (!/<testsuites?\b/.test(text)) invalid(source, 'not a JUnit XML report (no <testsuite>)');
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const re = /<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[1] ?? '';
    if (/<(failure|error)\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) skipped++;
    else passed++;
  }
  return { passed, failed, skipped, format: 'junit-xml' };
}

export function countTestReport(text: string, source = 'report'): TestCounts {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('<')) return countJunitXml(text, source);
  if (trimmed.startsWith('{')) return countVitestJson(text, source);
  invalid(source, 'neither a Vitest JSON report nor JUnit XML');
}
