// Prints two figures: `plan --env prod` wall time on the whole catalog (render mode, fresh
// process), and the live time from an error ratio crossing its threshold to the rollback recorded.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getEnvironment, platform } from '@cios/catalog';
import { servicesIn } from '@cios/platform-spec';
import { runCli } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../dist/cli.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-deploy-bench-'));
const cleanup = [];
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ---- 1. plan --env prod, render mode, fresh process ----
function planBench() {
  // Digest-pinned like a real prod release (every service prod runs plus the backup jobs' backup-tools), so the
  // policy check passes and the whole prod catalog renders end to end. The digests are sha256 of each name.
  // Services added since the fixture was written (the service generator adds them) get a digest the same way.
  const releaseFile = path.join(tmp, 'prod-release.json');
  const release = JSON.parse(fs.readFileSync(path.join(here, 'fixtures/prod-release.json'), 'utf8'));
  for (const s of servicesIn(platform, getEnvironment('prod'))) release.images[s.name] ??= `${s.image}@sha256:${createHash('sha256').update(s.name).digest('hex')}`;
  fs.writeFileSync(releaseFile, JSON.stringify(release, null, 2));
  const kb = path.join(tmp, 'kb.json');
  fs.writeFileSync(kb, '{"version":"1.0"}\n');
  for (const env of ['prod', 'dev']) {
    const times = [];
    let last;
    const args = [CLI, 'plan', '--env', env, '--kb', kb, '--state-dir', path.join(tmp, 'plan-state'), '--render-only', '--json'];
    if (env === 'prod') args.push('--release', releaseFile);
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      last = spawnSync(process.execPath, args, { encoding: 'utf8' });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    let outcome;
    if (last.status === 0) {
      const report = JSON.parse(last.stdout);
      outcome = `rendered ${report.stacks.length} stacks and ${report.monitoringFiles} monitoring files`;
    } else {
      // The policy refusal comes after the full synthesis, so the time still covers it.
      const first = last.stderr.split('\n').find((l) => l.includes('error ')) ?? last.stderr.trim();
      outcome = `exit ${last.status}, refused by the policy check after synthesis: ${first.trim().slice(0, 160)}`;
    }
    console.log(`plan --env ${env} (render mode, ${servicesIn(platform, getEnvironment(env)).length} services, fresh process): ${outcome}`);
    console.log(`  wall time median ${(median(times) / 1000).toFixed(2)} s over ${times.length} runs (${times.map((t) => (t / 1000).toFixed(2)).join(', ')}); target < 5 s`);
  }
}

// ---- 2. live rollback ----
async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function fakeService() {
  const state = { ok: 0, errors: 0, rps: 50, errorRatio: 0, carry: 0 };
  const server = http.createServer((req, res) => {
    const total = state.ok + state.errors;
    res.end(
      [
        `http_requests_total{code="200",method="GET",route="/"} ${state.ok}`,
        `http_requests_total{code="500",method="GET",route="/"} ${state.errors}`,
        `http_request_duration_seconds_count{method="GET",route="/"} ${total}`,
        '',
      ].join('\n'),
    );
  });
  const timer = setInterval(() => {
    state.carry += state.rps / 10;
    const n = Math.floor(state.carry);
    state.carry -= n;
    for (let i = 0; i < n; i++) {
      if (state.errors < (state.ok + state.errors + 1) * state.errorRatio) state.errors++;
      else state.ok++;
    }
  }, 100);
  cleanup.push(() => clearInterval(timer), () => server.close());
  return { state, server };
}

async function query(url, q) {
  const r = await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`)).json();
  const v = r.data?.result?.[0]?.value?.[1];
  return v === undefined ? null : Number(v);
}

function capture() {
  return { text: '', isTTY: false, write(c, cb) { this.text += String(c); cb?.(); return true; } };
}

async function rollbackBench() {
  const prom = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((p) => fs.existsSync(p));
  if (!prom) {
    console.log('live rollback: SKIPPED, prometheus is not installed (apt-get install -y --no-install-recommends prometheus)');
    return;
  }
  const svc = fakeService();
  await new Promise((r) => svc.server.listen(0, '127.0.0.1', r));
  const promPort = await freePort();
  const promDir = path.join(tmp, 'prom');
  fs.mkdirSync(promDir);
  fs.writeFileSync(
    path.join(promDir, 'p.yml'),
    `global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: web\n    static_configs:\n      - targets: ['127.0.0.1:${svc.server.address().port}']\n        labels: {service: web, namespace: bench-core}\n`,
  );
  const child = spawn(prom, [`--config.file=${path.join(promDir, 'p.yml')}`, `--storage.tsdb.path=${path.join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=error'], { stdio: 'ignore' });
  cleanup.push(() => child.kill('SIGTERM'));
  const url = `http://127.0.0.1:${promPort}`;
  const interval = 2;
  const policy = { intervalSeconds: interval, bakeSeconds: 30, failuresAllowed: 1, minRequests: 5 };
  const platformFile = path.join(tmp, 'platform.json');
  fs.writeFileSync(
    platformFile,
    JSON.stringify({
      services: [
        {
          name: 'web', tier: 'core', image: 'ghcr.io/cios/web', port: 8080, replicas: { bench: 1 },
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          health: { liveness: '/healthz', readiness: '/readyz' }, dataClassification: 'internal',
          slos: [{ name: 'availability', sli: 'availability', objective: 99 }],
        },
      ],
      environments: [
        { name: 'bench', kind: 'dev', clusters: [{ name: 'bench', context: 'bench', region: 'canadacentral' }], requiresApproval: false, prometheusUrl: url, analysis: policy },
      ],
    }),
  );
  const kb = path.join(tmp, 'kb-live.json');
  const commits = ['a'.repeat(40), 'b'.repeat(40)];
  fs.writeFileSync(kb, JSON.stringify({ version: '1.0', test_results: { recent_runs: commits.map((commit) => ({ timestamp: '2026-01-01T00:00:00Z', tests_run: 1, passed: 1, failed: 0, commit })) } }));
  const marker = path.join(tmp, 'deployed');
  const stacks = (v) => {
    const dir = path.join(tmp, `stacks-${v}`, 'app');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({ resource: { terraform_data: { web: { input: v, triggers_replace: v, provisioner: [{ 'local-exec': { command: `echo ${v} > ${marker}` } }] } } } }));
    return path.dirname(dir);
  };
  const release = (v, commit) => {
    const f = path.join(tmp, `release-${v}.json`);
    fs.writeFileSync(f, JSON.stringify({ environment: 'bench', commit, createdBy: 'bench', createdAt: '2026-01-01T00:00:00Z', images: { web: `ghcr.io/cios/web:${v}` } }));
    return f;
  };
  const base = ['--env', 'bench', '--kb', kb, '--state-dir', path.join(tmp, 'live-state'), '--platform', platformFile, '--task', 'BENCH'];
  for (let i = 0; i < 100 && (await query(url, 'sum(increase(http_requests_total[4s]))').catch(() => null)) === null; i++) await new Promise((r) => setTimeout(r, 250));
  const io = () => ({ stdout: capture(), stderr: capture(), env: process.env });
  const first = io();
  if ((await runCli(['apply', ...base, '--release', release('v1', commits[0]), '--stacks-dir', stacks('v1'), '--first-deploy'], first)) !== 0) throw new Error(first.stderr.text);

  const second = io();
  const deploy = runCli(['apply', ...base, '--release', release('v2', commits[1]), '--stacks-dir', stacks('v2')], second);
  // Break the service once the new release is applied and being watched.
  while (!second.stderr.text.includes('watching web')) await new Promise((r) => setTimeout(r, 50));
  svc.state.errorRatio = 0.5;
  let crossedAt;
  const threshold = 0.01;
  const errorRatio = 'sum(rate(http_requests_total{service="web",code=~"5.."}[4s])) / sum(rate(http_requests_total{service="web"}[4s]))';
  const watcher = (async () => {
    while (crossedAt === undefined) {
      const v = await query(url, errorRatio).catch(() => null);
      if (v !== null && v > threshold) crossedAt = Date.now();
      else await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const code = await deploy;
  await Promise.race([watcher, new Promise((r) => setTimeout(r, 1000))]);
  const kbNow = JSON.parse(fs.readFileSync(kb, 'utf8'));
  const d = kbNow.deployments.at(-1);
  const recordedAt = Date.parse(d.finished_at);
  const applyMs = d.timings?.rollback ?? 0;
  console.log(`live rollback (interval ${interval}s, failures allowed ${policy.failuresAllowed}, window 4s, Prometheus scrape 1s):`);
  console.log(`  deploy exit ${code}, status ${d.status}, now deployed: ${fs.readFileSync(marker, 'utf8').trim()}`);
  if (crossedAt === undefined) {
    console.log('  the error ratio was never seen above the threshold by the bench watcher');
  } else {
    const took = (recordedAt - crossedAt) / 1000;
    const target = 2 * interval + applyMs / 1000;
    console.log(`  error ratio crossed ${threshold} → rollback recorded: ${took.toFixed(2)} s (rollback apply ${(applyMs / 1000).toFixed(2)} s; target ≤ 2 × ${interval} s + apply = ${target.toFixed(2)} s)`);
  }
}

try {
  planBench();
  await rollbackBench();
} finally {
  for (const f of cleanup.reverse()) f();
}
