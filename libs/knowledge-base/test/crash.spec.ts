import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKb } from '../src/index.js';
import { LIB_ROOT, assertBuilt, cleanupTemp, tempKb } from './helpers.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const WRITER = path.join(LIB_ROOT, 'test', 'workers', 'writer.mjs');

/** Start a writer, kill it with SIGKILL `ms` after it is ready to write, resolve with the items it acknowledged. */
function writeAndKill(file: string, tag: string, ms: number): Promise<string[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WRITER, file, tag, '100000', 'ack']);
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!timer && out.includes('READY')) timer = setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve([...out.matchAll(/^ACK (\S+)$/gm)].map((m) => m[1] as string));
    });
  });
}

describe('crashes', () => {
  it('writers killed with SIGKILL at random moments: the file always validates, no acknowledged change is lost', async () => {
    const { file, dir } = tempKb();
    const acked: string[] = [];
    let withAcks = 0;
    const rounds = 24;
    for (let round = 0; round < rounds; round++) {
      // two writers at once, killed at independent random moments
      const delays = [Math.random() * 150, Math.random() * 150];
      const got = await Promise.all(delays.map((ms, i) => writeAndKill(file, `r${round}w${i}`, ms)));
      for (const items of got) {
        acked.push(...items);
        if (items.length > 0) withAcks++;
      }
      const { kb } = loadKb(file); // throws if torn or invalid
      const present = new Set((kb['test_items'] as string[] | undefined) ?? []);
      for (const item of acked) expect(present.has(item), `acknowledged ${item} lost after round ${round}`).toBe(true);
    }
    expect(withAcks).toBeGreaterThan(rounds / 3); // the kills did land mid-stream
    // a lock left by a killed writer is recovered by the next writer
    const after = await writeAndKill(file, 'final', 500);
    expect(after.length).toBeGreaterThan(0);
    const leftovers = fs.readdirSync(dir).filter((f) => f.includes('.tmp-') || f.endsWith('.tmp') || f.endsWith('.stale'));
    expect(leftovers.length).toBeLessThanOrEqual(2); // at most the temporaries of the last killed writers
  });
});
