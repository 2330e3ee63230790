import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKb } from '../src/index.js';
import { LIB_ROOT, assertBuilt, cleanupTemp, tempKb, writtenItems } from './helpers.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const WRITER = path.join(LIB_ROOT, 'test', 'workers', 'writer.mjs');

/**
 * Start a writer; kill it with SIGKILL `ms` after `from` ("READY": it is about to write; "ACK": its first
 * change is committed); resolve with the items it acknowledged. Without `ms` it writes `count` items and exits.
 */
function writeAndKill(via: 'update' | 'queue', file: string, tag: string, ms: number | undefined, from: 'READY' | 'ACK' = 'READY', count = 100_000): Promise<string[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WRITER, file, tag, String(count), 'ack', via]);
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (ms !== undefined && !timer && out.includes(from)) timer = setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve([...out.matchAll(/^ACK (\S+)$/gm)].map((m) => m[1] as string));
    });
  });
}

describe('crashes', () => {
  it.each(['update', 'queue'] as const)('writers (%s) killed with SIGKILL at random moments: the file always validates, no acknowledged change is lost or made twice', async (via) => {
    const { file, dir } = tempKb();
    const acked: string[] = [];
    const rounds = 20;
    for (let round = 0; round < rounds; round++) {
      // two writers at once, killed at independent random moments
      const delays = [Math.random() * 150, Math.random() * 150];
      // odd rounds: killed after a committed change, so there is always something that must survive
      const from = round % 2 === 1 ? 'ACK' : 'READY';
      const got = await Promise.all(delays.map((ms, i) => writeAndKill(via, file, `r${round}w${i}`, ms, from)));
      for (const items of got) acked.push(...items);
      const { kb } = loadKb(file); // throws if torn or invalid
      const written = writtenItems(kb, via);
      const present = new Set(written);
      expect(present.size, `a change was made twice by round ${round}`).toBe(written.length);
      for (const item of acked) expect(present.has(item), `acknowledged ${item} lost after round ${round}`).toBe(true);
    }
    expect(acked.length).toBeGreaterThanOrEqual(rounds); // every ACK-timed round committed at least one change per writer
    // a lock or temporary file left by a killed writer is recovered by the next writer
    const after = await writeAndKill(via, file, 'final', undefined, 'READY', 3);
    expect(after).toEqual(['final-0', 'final-1', 'final-2']);
    const leftovers = fs.readdirSync(dir).filter((f) => f.includes('.tmp-') || f.endsWith('.tmp') || f.endsWith('.stale'));
    expect(leftovers.length).toBeLessThanOrEqual(2); // at most the temporaries of the last killed writers
  });
});
