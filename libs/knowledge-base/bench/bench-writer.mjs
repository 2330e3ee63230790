// Bench writer: waits for "GO" on stdin, then makes COUNT changes, each logging an infrastructure
// change, either one locked write per change (update), queued for group commit (queue), or the
// issue's reference point (bare): a mkdir lock, JSON.parse, push, JSON.stringify, write, fsync,
// rename; no validation, no .bak, no directory fsync, no crash recovery. Two more give what this machine's
// disk allows at all (io): the same lock and durable rewrite of the file's bytes, no JSON, either at a
// constant size (io-fixed) or growing by one change's bytes each time, as the KB does here (io-grow);
// or, the floor of any append-only design, one change's bytes appended and fdatasync'd under the lock
// (io-append, to FILE.append-log).
//   node bench-writer.mjs FILE TAG COUNT update|queue|bare|io-fixed|io-grow|io-append [GROWTH_BYTES]
import * as fs from 'node:fs';
import { loadKb, logInfrastructureChange, problemsOf, serializeKb, submitChange, update } from '../dist/index.js';

/** Run `critical` under a mkdir lock on `file`, polled every millisecond. */
async function underMkdirLock(file, critical) {
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
    critical();
  } finally {
    fs.rmdirSync(lock);
  }
}

/** Under the lock, replace `file` durably with `next(its bytes)`. */
function rewriteLocked(file, next) {
  return underMkdirLock(file, () => {
    const tmp = `${file}.bare-${process.pid}`;
    const fd = fs.openSync(tmp, 'w');
    fs.writeSync(fd, next(fs.readFileSync(file)));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  });
}

/** Under the lock, append `bytes` to `log` and fdatasync it. */
function appendLocked(file, log, bytes) {
  return underMkdirLock(file, () => {
    const fd = fs.openSync(log, 'a');
    fs.writeSync(fd, bytes);
    fs.fdatasyncSync(fd);
    fs.closeSync(fd);
  });
}

function bareChange(file, input) {
  return rewriteLocked(file, (bytes) => {
    const kb = JSON.parse(bytes.toString('utf8'));
    logInfrastructureChange(kb, input, new Date().toISOString()); // the same change, applied without checks
    return serializeKb(kb);
  });
}

const [file, tag, countText, via, growthText = '0'] = process.argv.slice(2);
const count = Number(countText);
const growth = Buffer.alloc(via === 'io-grow' || via === 'io-append' ? Number(growthText) : 0, 0x20);
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
    else if (via === 'io-append') await appendLocked(file, `${file}.append-log`, growth);
    else if (via.startsWith('io-')) await rewriteLocked(file, (bytes) => Buffer.concat([bytes, growth]));
    else await update((kb, ctx) => logInfrastructureChange(kb, input, ctx.now()), options);
  }
  process.stdout.write(`DONE ${(performance.now() - t0).toFixed(1)}\n`);
  process.exit(0);
});
