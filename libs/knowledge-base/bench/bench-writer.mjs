// Bench writer: waits for "GO" on stdin, then makes COUNT changes via update().
import { loadKb, problemsOf, serializeKb, update } from '../dist/index.js';

const [file, tag, countText] = process.argv.slice(2);
const count = Number(countText);
// Warm up the JIT on this file (read, parse, validate, serialise; no writes) so the figure is steady-state.
for (let i = 0; i < 200; i++) {
  const { kb } = loadKb(file);
  problemsOf(kb);
  serializeKb(kb);
}
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
