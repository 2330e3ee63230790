import * as fs from 'node:fs';
/* eslint-disable @typescript-eslint/no-explicit-any -- tests poke at arbitrary JSON */
import { describe, expect, it } from 'vitest';
import { compileFastCheck } from '../src/fast-check.js';
import { knowledgeBaseSchema } from '../src/index.js';
import { FIXTURE, NEURON_KB, NEURON_KB_TESTED } from './helpers.js';

const fast = compileFastCheck(knowledgeBaseSchema);
const base = () => JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Record<string, any>;

/** Variants that exercise every kind of field: the fast check must agree with zod on each. */
const variants: [string, (kb: Record<string, any>) => void][] = [
  ['unchanged', () => undefined],
  ['status', (kb) => (kb.agent_coordination.active_assignments[0].status = 'done')],
  ['progress', (kb) => (kb.agent_coordination.active_assignments[0].progress = 101)],
  ['progress type', (kb) => (kb.agent_coordination.active_assignments[0].progress = '50')],
  ['timestamp', (kb) => (kb.agent_coordination.coordination_log[0].timestamp = 'yesterday')],
  ['null timestamp', (kb) => (kb.agent_coordination.active_assignments[0].completed_at = null)],
  ['missing id', (kb) => delete kb.agent_coordination.active_assignments[1].id],
  ['empty id', (kb) => (kb.agent_coordination.active_assignments[1].id = '')],
  ['array for object', (kb) => (kb.agent_coordination = [])],
  ['record value', (kb) => (kb.agents['QA Agent'] = 'busy')],
  ['revision', (kb) => (kb.revision = -1)],
  ['revision float', (kb) => (kb.revision = 1.5)],
  ['version number', (kb) => (kb.version = 4)],
  ['version bool', (kb) => (kb.version = true)],
  ['priority', (kb) => (kb.agent_coordination.active_assignments[1].priority = 'high')],
  ['deployment ok', (kb) => (kb.deployments = [{ id: 'D1', environment: 'prod', release_id: 'r', deployed_by: 'x', status: 'succeeded', started_at: '2025-01-01T00:00:00Z', gates: [{ name: 'g', status: 'passed' }], timings: { a: 1 } }])],
  ['deployment gate', (kb) => (kb.deployments = [{ id: 'D1', environment: 'prod', release_id: 'r', deployed_by: 'x', status: 'succeeded', started_at: '2025-01-01T00:00:00Z', gates: [{ name: 'g', status: 'green' }] }])],
  ['deployment timing', (kb) => (kb.deployments = [{ id: 'D1', environment: 'prod', release_id: 'r', deployed_by: 'x', status: 'succeeded', started_at: '2025-01-01T00:00:00Z', timings: { a: -1 } }])],
  ['last deployment', (kb) => (kb.metrics.last_deployment = { id: 'D1' })],
  ['test runs', (kb) => (kb.test_results.recent_runs[0].passed = -3)],
  ['unknown sections are free', (kb) => (kb.anything = { deep: [1, 'x', null] })],
];

describe('fast check compiled from the zod schema', () => {
  it('compiles', () => expect(fast).toBeTypeOf('function'));
  for (const [name, mutate] of variants) {
    it(`agrees with zod: ${name}`, () => {
      const kb = base();
      mutate(kb);
      expect(fast?.(kb)).toBe(knowledgeBaseSchema.safeParse(kb).success);
    });
  }
  it.skipIf(!NEURON_KB_TESTED)('accepts the real KB', () => {
    expect(fast?.(JSON.parse(fs.readFileSync(NEURON_KB, 'utf8')))).toBe(true);
  });
});
