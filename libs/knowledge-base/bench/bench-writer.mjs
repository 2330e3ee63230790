// Bench writer: waits for "GO" on stdin, then makes COUNT changes, each logging an infrastructure
// change, either one locked write per change (update) or queued for group commit (queue).
//   node bench-writer.mjs FILE TAG COUNT update|queue
import { loadKb, logInfrastructureChange, problemsOf, serializeKb, submitChange, update } from '../dist/index.js';

const [file, tag, countText, via] = process.argv.slice(2);
const count = Number(countText);
// Warm up the JIT on this file (read, parse, validate, serialise; no writes) so the figure is steady-state.
for (let i = 0; i < 100; i++) {
  const { kb } = loadKb(file);
  problemsOf(kb);
  serializeKb(kb);
}
process.stdout.write('READY\n');
process.stdin.once('data', async () => {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const input = { by: `${tag} Agent`, what: `${tag}-${i}`, why: 'bench' };
    const options = { file, timeoutMs: 60_000, agent: tag };
    if (via === 'queue') await submitChange('log-change', input, options);
    else await update((kb, ctx) => logInfrastructureChange(kb, input, ctx.now()), options);
  }
  process.stdout.write(`DONE ${(performance.now() - t0).toFixed(1)}\n`);
  process.exit(0);
});
