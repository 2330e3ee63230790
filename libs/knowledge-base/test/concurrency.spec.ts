import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignTask, loadKb, update } from '../src/index.js';
import { LIB_ROOT, assertBuilt, cleanupTemp, runCliAsync, tempKb, writtenItems } from './helpers.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const WRITER = path.join(LIB_ROOT, 'test', 'workers', 'writer.mjs');

function run(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('many processes', () => {
  it.each(['update', 'queue'] as const)('8 processes × 100 changes (%s): all 800 present once, each writer in order, file valid', async (via) => {
    const { file } = tempKb();
    const before = loadKb(file).kb.revision ?? 0;
    const results = await Promise.all(Array.from({ length: 8 }, (_, p) => run(WRITER, [file, `p${p}`, '100', 'quiet', via])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const { kb } = loadKb(file);
    const items = writtenItems(kb, via);
    expect(items).toHaveLength(800);
    expect(new Set(items).size).toBe(800);
    for (let p = 0; p < 8; p++) {
      // each writer's changes appear in its own order
      const mine = items.filter((i) => i.startsWith(`p${p}-`));
      expect(mine).toEqual(Array.from({ length: 100 }, (_, i) => `p${p}-${i}`));
    }
    // one write per change, or fewer when queued changes are committed together
    if (via === 'update') expect(kb.revision).toBe(800);
    else expect((kb.revision ?? 0) - before).toBeLessThanOrEqual(800);
    expect(fs.existsSync(`${file}.queue`)).toBe(false); // the last one out removes the queue
  });

  it('10 processes race to claim one task: exactly one winner, every time', async () => {
    const agents = Array.from({ length: 10 }, (_, i) => `Racer ${i} Agent`);
    for (let round = 0; round < 3; round++) {
      const { file } = tempKb();
      await update((kb, ctx) => assignTask(kb, { to: agents.join(' + '), task: `contested ${round}`, priority: 'P0' }, ctx.now()), { file });
      const results = await Promise.all(agents.map((agent) => runCliAsync(['claim', 'ASSIGN_006', '--agent', agent, '--file', file])));
      const winners = results.filter((r) => r.code === 0);
      const losers = results.filter((r) => r.code !== 0);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(9);
      const task = loadKb(file).kb.agent_coordination?.active_assignments?.find((t) => t.id === 'ASSIGN_006');
      for (const l of losers) {
        expect(l.code).toBe(1);
        expect(l.stderr).toContain(`ASSIGN_006 is already claimed by ${task?.claimed_by}`);
      }
      expect(winners[0]?.stdout).toContain(`${task?.claimed_by} claimed ASSIGN_006`);
    }
  });
});
