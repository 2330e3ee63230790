// Bench writer: waits for "GO" on stdin, then makes COUNT changes, each logging an infrastructure
// change, either one locked write per change (update), queued for group commit (queue), or the
// issue's reference point (bare): a mkdir lock, JSON.parse, push, JSON.stringify, write, fsync,
// rename; no validation, no .bak, no directory fsync, no crash recovery.
//   node bench-writer.mjs FILE TAG COUNT update|queue|bare
import * as fs from 'node:fs';
import { loadKb, logInfrastructureChange, problemsOf, serializeKb, submitChange, update } from '../dist/index.js';

async function bareChange(file, input) {
  const lock = `${file}.bare-lock`;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  try {
    const kb = JSON.parse(fs.readFileSync(file, 'utf8'));
    logInfrastructureChange(kb, input, new Date().toISOString()); // the same change, applied without checks
    const tmp = `${file}.bare-${process.pid}`;
    const fd = fs.openSync(tmp, 'w');
    fs.writeSync(fd, serializeKb(kb));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmdirSync(lock);
  }
}

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
    else if (via === 'bare') await bareChange(file, input);
    else await update((kb, ctx) => logInfrastructureChange(kb, input, ctx.now()), options);
  }
  process.stdout.write(`DONE ${(performance.now() - t0).toFixed(1)}\n`);
  process.exit(0);
});
