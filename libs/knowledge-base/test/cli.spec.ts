import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../src/cli/commands.js';
import { loadKb, type Assignment } from '../src/index.js';
import { CLI, FIXTURE, assertBuilt, cleanupTemp, hasStackTrace, readJson, runCli, tempKb } from './helpers.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

describe('cios-kb CLI', () => {
  it('--help at the top level and for every command', () => {
    const top = runCli(['--help']);
    expect(top.code).toBe(0);
    for (const c of commands) expect(top.stdout).toContain(c.name);
    expect(top.stdout).toMatch(/Exit codes: 0 done, 1 invalid KB or refused change, 2 usage error, 3 lock/);
    for (const c of ['status', 'claim', 'log-deployment']) {
      const r = runCli([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`cios-kb ${c}`);
      expect(r.stdout).toContain('--file');
    }
    for (const c of commands) {
      expect(Object.keys(c.options)).toContain('file');
      expect(Object.keys(c.options)).toContain('help');
      expect(Object.keys(c.options)).toContain('json');
    }
  });

  it('usage errors exit 2 without touching the file', () => {
    const { file } = tempKb();
    const before = fs.readFileSync(file);
    for (const args of [['frobnicate'], ['tasks', '--bogus'], ['claim', '--agent', 'QA Agent'], ['claim', 'ASSIGN_004'], ['assign', '--to', 'QA Agent'], ['progress', 'ASSIGN_004', '--agent', 'QA Agent', '--percent', 'lots'], ['show', 'A', 'B'],
      ['tasks', '--json', '--fields', 'id,bogus'], ['show', 'ASSIGN_001', '--fields', 'bogus'], ['next', '--agent', 'QA Agent', '--claim', '--fields', 'bogus'],
      // agent names that would be keys JavaScript treats specially in agent_status
      ['assign', '--to', '__proto__', '--task', 'x'], ['assign', '--to', 'QA Agent + constructor', '--task', 'x'], ['claim', 'ASSIGN_004', '--agent', 'prototype']]) {
      const r = runCli([...args, '--file', file]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^cios-kb: /);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('finds the KB by walking up, or via CIOS_KB; --json on reads', () => {
    const { dir, file } = tempKb();
    const sub = path.join(dir, 'a', 'b');
    fs.mkdirSync(sub, { recursive: true });
    const r = runCli(['show', 'ASSIGN_003', '--json'], { cwd: sub });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'ASSIGN_003', assigned_to: 'Frontend Agent + QA Agent' });
    const viaEnv = runCli(['validate', '--json'], { env: { CIOS_KB: file } });
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ ok: true, file, tasks: 5 });
    const none = runCli(['status'], { cwd: '/' });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no \.ai-knowledge-base\.json found/);
  });

  it('a full task flow through the CLI', () => {
    const { file } = tempKb();
    const kb = (args: string[]) => runCli([...args, '--file', file]);
    const assigned = kb(['assign', '--to', 'QA Agent', '--task', 'Cover uploads', '--priority', 'P0', '--depends', 'ASSIGN_004', '--by', 'Product Manager/CTO Agent', '--json']);
    expect(JSON.parse(assigned.stdout)).toMatchObject({ ok: true, id: 'ASSIGN_006', revision: 1 });
    expect(JSON.parse(kb(['next', '--agent', 'QA Agent', '--json']).stdout).task.id).toBe('ASSIGN_004');
    expect(Object.keys(JSON.parse(kb(['next', '--agent', 'QA Agent', '--fields', 'id,priority', '--json']).stdout).task)).toEqual(['id', 'priority']);
    expect(kb(['next', '--agent', 'QA Agent', '--claim']).stdout).toMatch(/QA Agent claimed ASSIGN_004/);
    expect(kb(['progress', 'ASSIGN_004', '--agent', 'QA Agent', '--percent', '50', '--note', 'half']).code).toBe(0);
    expect(kb(['block', 'ASSIGN_004', '--agent', 'QA Agent', '--reason', 'staging down']).code).toBe(0);
    expect(kb(['blocked']).stdout).toMatch(/ASSIGN_004[\s\S]*waiting for: staging down/);
    const blocked = JSON.parse(kb(['blocked', '--fields', 'id', '--json']).stdout).items as Record<string, unknown>[];
    expect(blocked).toContainEqual({ id: 'ASSIGN_004', reason: 'staging down', waits_on: [] });
    for (const item of blocked) expect(Object.keys(item)).toEqual(['id', 'reason', 'waits_on']);
    expect(kb(['unblock', 'ASSIGN_004', '--agent', 'QA Agent', '--reason', 'staging back']).code).toBe(0);
    expect(kb(['complete', 'ASSIGN_004', '--agent', 'QA Agent', '--notes', 'fixed']).stdout).toMatch(/now ready: ASSIGN_006/);
    const status = kb(['status']);
    expect(status.stdout).toMatch(/Ready \(\d+\)[\s\S]*ASSIGN_006/);
    expect(status.stdout).toMatch(/Recently done[\s\S]*ASSIGN_004/);
    expect(kb(['agents']).stdout).toMatch(/QA Agent\s+completed\s+ASSIGN_004/);
    const report = path.join(path.dirname(file), 'report.json');
    fs.writeFileSync(report, JSON.stringify({ numTotalTests: 3, numPassedTests: 2, numFailedTests: 1, numPendingTests: 0, numTodoTests: 0 }));
    expect(kb(['record-tests', '--report', report, '--commit', 'abc123', '--by', 'QA Agent']).stdout).toMatch(/2 passed, 1 failed, 0 skipped/);
    expect(kb(['log-change', '--by', 'DevOps Agent', '--what', 'resize db', '--why', 'load', '--stacks', 'db-staging']).code).toBe(0);
    expect(kb(['request-approval', '--env', 'prod', '--release', 'rel-7', '--by', 'DevOps Agent']).code).toBe(0);
    expect(kb(['approve', 'APPROVAL_001', '--by', 'QA Agent']).code).toBe(1);
    expect(kb(['approve', 'APPROVAL_001', '--by', 'Product Manager/CTO Agent']).code).toBe(0);
    expect(kb(['log-deployment', '--env', 'prod', '--release', 'rel-7', '--by', 'DevOps Agent', '--approval', 'APPROVAL_001', '--gate', 'tests=passed']).code).toBe(0);
    expect(kb(['log-deployment', '--id', 'DEPLOY_001', '--status', 'succeeded', '--timing', 'apply=1500']).code).toBe(0);
    const final = readJson(file) as { metrics: { last_deployment: { status: string } }; revision: number };
    expect(final.metrics.last_deployment.status).toBe('succeeded');
    expect(kb(['validate']).code).toBe(0);
    // unknown sections survived every change
    const original = readJson(FIXTURE);
    for (const key of ['project', 'runtime_notes', 'tasks', 'decisions', 'cto_notes']) expect((final as Record<string, unknown>)[key]).toEqual(original[key]);
  });

  it('reads stay short on a KB with 5,000 tasks and a long log', () => {
    const base = readJson(FIXTURE) as { agent_coordination: { active_assignments: Assignment[]; coordination_log: unknown[] } };
    const agents = ['Backend API Agent', 'Frontend Agent', 'QA Agent', 'DevOps Agent'];
    const statuses = ['pending', 'assigned', 'ready', 'in_progress', 'blocked', 'completed'] as const;
    for (let i = 6; i < 5006; i++) {
      base.agent_coordination.active_assignments.push({
        id: `ASSIGN_${String(i).padStart(4, '0')}`,
        assigned_by: 'Product Manager/CTO Agent',
        assigned_to: agents[i % 4] as string,
        task: `Task number ${i} with a reasonably long title that describes what has to be done in detail`,
        priority: `P${i % 3}`,
        status: statuses[i % statuses.length] as (typeof statuses)[number],
        assigned_at: '2025-11-20T10:00:00',
        description: 'x'.repeat(400),
        dependencies: i > 10 && i % 5 === 0 ? [`ASSIGN_${String(i - 3).padStart(4, '0')}`] : [],
        waiting_for: i % 6 === 4 ? 'something external' : null,
      });
      base.agent_coordination.coordination_log.push({ timestamp: '2025-11-20T10:00:00', event: 'assignment', details: 'y'.repeat(200) });
    }
    const { file } = tempKb(base);
    expect(loadKb(file).kb.agent_coordination?.active_assignments).toHaveLength(5005);
    for (const args of [['status'], ['status', '--json'], ['tasks'], ['tasks', '--json'], ['blocked'], ['blocked', '--json'], ['agents', '--json'], ['tasks', '--json', '--fields', 'all', '--limit', '100000']]) {
      const r = runCli([...args, '--file', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.length, args.join(' ')).toBeLessThan(80_000);
    }
    // --json stays within bounds too when the lists are long or one entry is huge, and says it was cut
    for (const args of [['status', '--json', '--limit', '100000'], ['blocked', '--json', '--limit', '100000']]) {
      const r = runCli([...args, '--file', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.length, args.join(' ')).toBeLessThan(80_000);
      expect(JSON.parse(r.stdout).truncated, args.join(' ')).toMatch(/output limited/);
    }
    const huge = readJson(file) as typeof base;
    (huge.agent_coordination.active_assignments[0] as Record<string, unknown>)['notes'] = 'n'.repeat(2_000_000);
    fs.writeFileSync(file, JSON.stringify(huge));
    for (const args of [['show', 'ASSIGN_001', '--json'], ['tasks', '--json', '--fields', 'all', '--limit', '1']]) {
      const r = runCli([...args, '--file', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.length, args.join(' ')).toBeLessThan(80_000);
      expect(r.stdout).toContain('[cut: 2000000 characters]');
    }
    // a reader that stops early is not an error: no EPIPE stack trace
    const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" tasks --limit 100000 --file "${file}" | head -1`], { encoding: 'utf8' });
    expect(piped.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(piped.stderr).toBe('');
    const limited = JSON.parse(runCli(['tasks', '--agent', 'QA Agent', '--status', 'ready', '--limit', '3', '--fields', 'id,status', '--json', '--file', file]).stdout);
    expect(limited.total).toBeGreaterThan(100);
    expect(limited.items).toHaveLength(3);
    expect(Object.keys(limited.items[0])).toEqual(['id', 'status']);
  });
});
