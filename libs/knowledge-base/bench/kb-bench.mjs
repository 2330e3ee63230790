// Benchmarks of @cios/knowledge-base (run after the build): prints figures, asserts nothing.
//   node bench/kb-bench.mjs
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKb, parseKbJson, problemsOf, readKbText, serializeKb } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(fs.readFileSync(path.join(here, '..', 'test', 'fixtures', 'sample-kb.json'), 'utf8'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-kb-bench-'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return median(out);
}

// ---- 1. Load and validate a ~10 MB KB (20,000 deployment records) ----
{
  const kb = structuredClone(fixture);
  kb.deployments = Array.from({ length: 20_000 }, (_, i) => ({
    id: `DEPLOY_${String(i + 1).padStart(5, '0')}`,
    environment: ['dev', 'staging', 'prod'][i % 3],
    release_id: `rel-2025.11.${i}`,
    commit: `c0ffee${i.toString(16).padStart(34, '0')}`,
    deployed_by: 'DevOps Agent',
    status: ['succeeded', 'failed', 'rolled_back', 'aborted', 'succeeded'][i % 5],
    plan_summary: `update ${i % 7} services; migrate schema v${i % 40}`,
    gates: [{ name: 'smoke', status: i % 5 === 1 ? 'failed' : 'passed' }],
    started_at: `2025-11-${String((i % 28) + 1).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00.000Z`,
    finished_at: `2025-11-${String((i % 28) + 1).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:42.000Z`,
    ...(i % 3 === 2 ? { approval_id: `APPROVAL_${String(i).padStart(5, '0')}` } : {}),
    ...(i % 5 === 2 ? { rollback_ref: `DEPLOY_${String(i).padStart(5, '0')}` } : {}),
    evidence_ref: `s3://evidence/${i}`,
  }));
  const file = path.join(dir, 'big.json');
  fs.writeFileSync(file, serializeKb(kb));
  const size = fs.statSync(file).size;
  const text = fs.readFileSync(file, 'utf8');
  for (let i = 0; i < 3; i++) loadKb(file); // warm up
  // Interleave the two measurements so that both see the same machine load; report min and median.
  const bareRuns = [];
  const fullRuns = [];
  for (let i = 0; i < 21; i++) {
    let t0 = performance.now();
    JSON.parse(fs.readFileSync(file, 'utf8'));
    bareRuns.push(performance.now() - t0);
    t0 = performance.now();
    loadKb(file);
    fullRuns.push(performance.now() - t0);
  }
  const bare = median(bareRuns);
  const full = median(fullRuns);
  const bareMin = Math.min(...bareRuns);
  const fullMin = Math.min(...fullRuns);
  const parseOnly = time(() => parseKbJson(text), 11);
  const readOnly = time(() => readKbText(file), 11);
  const parsed = JSON.parse(text);
  const validateOnly = time(() => problemsOf(parsed), 11);
  console.log(`load+validate ${(size / 1024 / 1024).toFixed(1)} MiB KB (20,000 deployment records), 21 interleaved runs:`);
  console.log(`  bare readFileSync(utf8)+JSON.parse: median ${bare.toFixed(1)} ms, min ${bareMin.toFixed(1)} ms`);
  console.log(`  loadKb (size limit, UTF-8 check, parse, depth/forbidden-key walk, schema, integrity): median ${full.toFixed(1)} ms (${(full / bare).toFixed(2)}× bare), min ${fullMin.toFixed(1)} ms (${(fullMin / bareMin).toFixed(2)}× bare)`);
  console.log(`    parts (medians): read+decode ${readOnly.toFixed(1)} ms, parse+walk ${parseOnly.toFixed(1)} ms, schema+integrity ${validateOnly.toFixed(1)} ms`);
  // As a CLI meets it: one load in a fresh process, with no garbage of earlier runs to collect on the way.
  const once = (body) => {
    const script = `import * as fs from 'node:fs'; import { loadKb } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const file = ${JSON.stringify(file)}; const t0 = performance.now(); ${body}; process.stdout.write(String(performance.now() - t0));`;
    // Not console.log: under Nx (FORCE_COLOR) it prints a number in ANSI colour, which is not a number.
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const ms = Number(child.stdout.trim());
    if (child.status !== 0 || !Number.isFinite(ms)) throw new Error(`fresh-process load failed (exit ${child.status}): ${child.stderr.trim() || child.stdout.trim()}`);
    return ms;
  };
  const freshBare = [];
  const freshFull = [];
  for (let i = 0; i < 7; i++) {
    freshBare.push(once(`JSON.parse(fs.readFileSync(file, 'utf8'))`));
    freshFull.push(once(`loadKb(file)`));
  }
  console.log(`  fresh process, one load each (median of 7): bare ${median(freshBare).toFixed(1)} ms, loadKb ${median(freshFull).toFixed(1)} ms (${(median(freshFull) / median(freshBare)).toFixed(2)}× bare)`);
}

// ---- 2. 8 writer processes on one ~100 KB KB ----
{
  const kb = structuredClone(fixture);
  const agents = ['Backend API Agent', 'Frontend Agent', 'QA Agent', 'DevOps Agent'];
  for (let i = 6; kb && serializeKb(kb).length < 100 * 1024; i++) {
    kb.agent_coordination.active_assignments.push({
      id: `ASSIGN_${String(i).padStart(3, '0')}`,
      assigned_by: 'Product Manager/CTO Agent',
      assigned_to: agents[i % 4],
      task: `Task ${i}: implement and test a feature of the immigration workflow`,
      priority: `P${i % 3}`,
      status: 'assigned',
      assigned_at: '2025-11-20T10:00:00',
      description: 'Implement the feature, write tests, update docs. '.repeat(3),
      dependencies: [],
      waiting_for: null,
    });
  }
  const file = path.join(dir, '.ai-knowledge-base.json');
  fs.writeFileSync(file, serializeKb(kb));
  const size = fs.statSync(file).size;
  // context: what one durable write of this size costs on this machine right now
  const probe = path.join(dir, 'probe.json');
  const body = fs.readFileSync(file);
  const durable = time(() => {
    const fd = fs.openSync(`${probe}.tmp`, 'w');
    fs.writeSync(fd, body);
    fs.fdatasyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(`${probe}.tmp`, probe);
    const d = fs.openSync(dir, 'r');
    fs.fsyncSync(d);
    fs.closeSync(d);
  }, 50);
  console.log(`  (machine now: one bare durable ${(size / 1024).toFixed(0)} KB write = ${durable.toFixed(2)} ms, load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
  const procs = 8;
  const each = Number(process.env.KB_BENCH_CHANGES ?? 100);
  const original = fs.readFileSync(file);
  // Both ways of writing, on the same starting file, with the same real change (log an infrastructure change).
  let growthPerChange = 0; // bytes one change adds to the KB, measured on the first run
  for (const via of ['bare', 'update', 'queue', 'io-fixed', 'io-grow', 'io-append']) {
    fs.writeFileSync(file, original);
    const writer = (p) => [path.join(here, 'bench-writer.mjs'), file, `w${p}`, String(each), via, String(growthPerChange)];
    const children = Array.from({ length: procs }, (_, p) => spawn(process.execPath, writer(p), { stdio: ['pipe', 'pipe', 'inherit'] }));
    const lines = children.map((c) => {
      let buf = '';
      const waiters = [];
      c.stdout.on('data', (d) => {
        buf += d.toString();
        for (const w of [...waiters]) {
          if (!buf.includes(w.word)) continue;
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(buf);
        }
      });
      return (word) => new Promise((resolve) => (buf.includes(word) ? resolve(buf) : waiters.push({ word, resolve })));
    });
    await Promise.all(lines.map((l) => l('READY')));
    const before = loadKb(file).kb.revision ?? 0;
    const t0 = performance.now();
    for (const c of children) c.stdin.write('GO\n');
    await Promise.all(lines.map((l) => l('DONE')));
    const elapsed = (performance.now() - t0) / 1000;
    const expected = procs * each;
    if (via === 'io-append') {
      console.log(`8 writer processes × ${each}, appending one change's ${growthPerChange} bytes to a log with fdatasync under the same lock, no JSON (the floor of an append-only design):`);
      console.log(`  ${expected} appends in ${elapsed.toFixed(2)} s = ${(expected / elapsed).toFixed(0)} appends/s`);
      continue;
    }
    if (via.startsWith('io-')) {
      const grown = via === 'io-grow' ? `growing by ${growthPerChange} bytes a change as the KB does here, to ${(fs.statSync(file).size / 1024).toFixed(0)} KB` : `at a constant ${(size / 1024).toFixed(0)} KB`;
      console.log(`8 writer processes × ${each} on the same file's bytes, no JSON (what this disk allows: mkdir lock + durable rewrite, ${grown}):`);
      console.log(`  ${expected} rewrites in ${elapsed.toFixed(2)} s = ${(expected / elapsed).toFixed(0)} rewrites/s`);
      continue;
    }
    if (via === 'bare') growthPerChange = Math.round((fs.statSync(file).size - size) / expected);
    const after = loadKb(file).kb;
    const logged = (after.infrastructure_changes ?? []).filter((c) => c.why === 'bench').map((c) => c.what);
    const lost = expected - new Set(logged).size;
    const twice = logged.length - new Set(logged).size;
    const writes = via === 'bare' ? expected : (after.revision ?? 0) - before;
    const how = {
      bare: "the issue's reference point: mkdir lock + JSON.parse/stringify + fsync + rename, unvalidated, no .bak",
      update: 'one locked durable write per change (update)',
      queue: 'queued, group commit (submitChange, what cios-kb does)',
    }[via];
    console.log(`8 writer processes × ${each} changes on one ${(size / 1024).toFixed(0)} KB KB, ${how}:`);
    console.log(
      `  ${expected} changes in ${elapsed.toFixed(2)} s = ${(expected / elapsed).toFixed(0)} committed changes/s; lost: ${lost}; made twice: ${twice}; ` +
        `${writes} writes (${(expected / writes).toFixed(1)} changes each); KB now ${(fs.statSync(file).size / 1024).toFixed(0)} KB, valid`,
    );
  }
}

if (process.env.KB_BENCH_KEEP) console.log(`kept ${dir}`);
else fs.rmSync(dir, { recursive: true, force: true });
