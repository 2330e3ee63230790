/**
 * The business-ish data behind /api/cases: a fixed, fictional set of immigration cases.
 * Fixed so responses are deterministic; no personal data, only made-up references.
 */

export interface ImmigrationCase {
  readonly id: string;
  readonly program: 'express-entry' | 'study-permit' | 'work-permit' | 'family-sponsorship' | 'visitor-visa';
  readonly status: 'intake' | 'documents' | 'submitted' | 'decision';
  readonly openedOn: string;
}

export const CASES: readonly ImmigrationCase[] = [
  { id: 'case-0001', program: 'express-entry', status: 'submitted', openedOn: '2025-01-14' },
  { id: 'case-0002', program: 'study-permit', status: 'documents', openedOn: '2025-02-03' },
  { id: 'case-0003', program: 'work-permit', status: 'intake', openedOn: '2025-02-21' },
  { id: 'case-0004', program: 'family-sponsorship', status: 'decision', openedOn: '2025-03-09' },
  { id: 'case-0005', program: 'visitor-visa', status: 'submitted', openedOn: '2025-03-30' },
];

export function findCase(id: string): ImmigrationCase | undefined {
  return CASES.find((c) => c.id === id);
}
