// Figures for the synth: the whole catalog in fresh processes (wall, CPU, peak RSS); synthetic catalogs
// of growing size (render and policy time per service, to show the cost is linear); and the import cost
// of provider resources by package index vs by submodule path.
//
// Wall time depends on how loaded the machine is; CPU time (user + system, process.resourceUsage) much
// less, so both are printed. Every measurement runs in a fresh `node` process evaluating a script with
// cwd = this folder: nothing is written into the source tree (synth output goes to a temp dir).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'cios-bench-'));
const runs = Number(process.env.BENCH_RUNS ?? 3);
const sizes = (process.env.BENCH_SIZES ?? '50,200,500').split(',').map(Number);

/** Runs `body` in a fresh process; its last stdout line is JSON merged with wall (since process start), CPU and peak RSS. */
function fresh(body) {
  const script = `
${body}
const ru = process.resourceUsage();
console.log(JSON.stringify({ wallMs: performance.now(), cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000, maxRssMb: ru.maxRSS / 1024, ...(typeof extra === 'object' ? extra : {}) }));
`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: here, encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

/** Per-field medians of `n` fresh runs. */
function median(n, body) {
  const all = Array.from({ length: n }, () => fresh(body));
  const out = {};
  for (const key of Object.keys(all[0])) {
    const values = all.map((r) => r[key]).sort((a, b) => a - b);
    out[key] = values[Math.floor(values.length / 2)];
  }
  return out;
}

const cpuNow = `const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };`;
const f0 = (x) => x.toFixed(0);

try {
  const full = median(
    runs,
    `${cpuNow}
const { synthEnvironment } = await import('../dist/index.js');
const { platform } = await import('@cios/catalog');
const { servicesIn } = await import('@cios/platform-spec');
const importCpuMs = cpuNow();
const importWallMs = performance.now();
// Prod's release names the services prod runs: a release naming one kept out of it (sample-api) is refused.
const prodServices = servicesIn(platform, platform.environments.find((e) => e.name === 'prod'));
const release = { environment: 'prod', commit: 'abcdef1', createdBy: 'bench', createdAt: '2026-01-01T00:00:00Z',
  images: Object.fromEntries([...prodServices.map((s) => [s.name, s.image + ':1.0.0@sha256:' + 'a'.repeat(64)]),
    ['backup-tools', 'ghcr.io/cios/backup-tools:1.4.0@sha256:' + 'b'.repeat(64)]]) };
let stacks = 0;
for (const env of platform.environments) {
  const r = synthEnvironment({ platform, environment: env.name, outdir: ${JSON.stringify(tmp)} + '/' + env.name, ...(env.kind === 'prod' ? { release } : {}) });
  stacks += r.stacks.length;
}
const extra = { importCpuMs, importWallMs, stacks, services: platform.services.length, environments: platform.environments.length };
`,
  );
  console.log(
    `whole catalog (${full.services} services × ${full.environments} environments, ${full.stacks} stacks), fresh process, median of ${runs}:\n` +
      `  wall ${f0(full.wallMs)} ms, CPU ${f0(full.cpuMs)} ms, peak RSS ${f0(full.maxRssMb)} MB` +
      ` (of which imports: wall ${f0(full.importWallMs)} ms, CPU ${f0(full.importCpuMs)} ms)`,
  );

  console.log(`synthetic catalogs (staging; copies of case-service, each calling the previous), fresh process each, median of ${runs}:`);
  console.log('  services   render wall/CPU ms   policy wall/CPU ms   total wall/CPU ms   peak RSS   render CPU ms/svc   policy CPU ms/svc');
  for (const n of sizes) {
    const r = median(
      runs,
      `${cpuNow}
const { renderStacks, checkPolicy } = await import('../dist/index.js');
const { Platform, parseSpec } = await import('@cios/platform-spec');
const { platformInput } = await import('@cios/catalog');
const template = platformInput.services.find((s) => s.name === 'case-service');
const services = Array.from({ length: ${n} }, (_, i) => ({ ...template, name: 'svc-' + i, image: 'ghcr.io/cios/svc-' + i,
  dependsOn: i > 0 ? ['svc-' + (i - 1)] : [] }));
const platform = parseSpec(Platform, { services, environments: platformInput.environments }, 'synthetic');
const env = platform.environments.find((e) => e.name === 'staging');
const t1 = performance.now(); const c1 = cpuNow();
const stacks = renderStacks({ platform, environment: env });
const t2 = performance.now(); const c2 = cpuNow();
const report = checkPolicy({ environment: env, stacks });
const t3 = performance.now(); const c3 = cpuNow();
const extra = { renderMs: t2 - t1, renderCpuMs: c2 - c1, policyMs: t3 - t2, policyCpuMs: c3 - c2, findings: report.findings.length };
`,
    );
    console.log(
      `  ${String(n).padStart(8)}   ${`${f0(r.renderMs)}/${f0(r.renderCpuMs)}`.padStart(18)}   ${`${f0(r.policyMs)}/${f0(r.policyCpuMs)}`.padStart(18)}` +
        `   ${`${f0(r.wallMs)}/${f0(r.cpuMs)}`.padStart(17)}   ${`${f0(r.maxRssMb)} MB`.padStart(8)}` +
        `   ${(r.renderCpuMs / n).toFixed(2).padStart(17)}   ${(r.policyCpuMs / n).toFixed(3).padStart(17)}`,
    );
  }

  const index = median(runs, `const m = await import('@cdktf/provider-kubernetes'); void m.deploymentV1.DeploymentV1; void m.statefulSetV1.StatefulSetV1; void m.namespaceV1.NamespaceV1;`);
  const deep = median(
    runs,
    `const { createRequire } = await import('node:module'); const require = createRequire(process.cwd() + '/');
require('@cdktf/provider-kubernetes/lib/deployment-v1/index.js'); require('@cdktf/provider-kubernetes/lib/stateful-set-v1/index.js'); require('@cdktf/provider-kubernetes/lib/namespace-v1/index.js');`,
  );
  const lib = median(runs, `await import('../dist/index.js');`);
  console.log(`start-up, fresh process, median of ${runs} (wall/CPU ms from process start):`);
  console.log(`  provider resources by package index (import):     ${f0(index.wallMs)}/${f0(index.cpuMs)}`);
  console.log(`  provider resources by submodule path (require):   ${f0(deep.wallMs)}/${f0(deep.cpuMs)}  <- kept (src/k8s.ts)`);
  console.log(`  @cios/infra (dist) with cdktf and its resources:  ${f0(lib.wallMs)}/${f0(lib.cpuMs)}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
