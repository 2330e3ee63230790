// Bench writer: waits for "GO" on stdin, then makes COUNT changes via update().
import { update } from '../dist/index.js';

const [file, tag, countText] = process.argv.slice(2);
const count = Number(countText);
process.stdout.write('READY\n');
process.stdin.once('data', async () => {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    await update(
      (kb) => {
        (kb.bench_items ??= []).push(`${tag}-${i}`);
      },
      { file, timeoutMs: 60_000, agent: tag },
    );
  }
  process.stdout.write(`DONE ${(performance.now() - t0).toFixed(1)}\n`);
  process.exit(0);
});
