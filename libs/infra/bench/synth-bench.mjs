// Figures for issue 3: synth time and peak memory in fresh processes; catalog size scaling;
// and import cost of provider resources by package index vs by submodule path.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'cios-bench-'));

function fresh(script) {
  const file = join(here, `.bench-${process.pid}.mjs`);
  writeFileSync(file, script);
  try {
    const out = execFileSync(process.execPath, [file], { cwd: here, encoding: 'utf8', maxBuffer: 64 << 20 });
    return JSON.parse(out.trim().split('\n').pop());
  } finally {
    rmSync(file, { force: true });
  }
}

const measure = (body) => `
const t0 = performance.now();
${body}
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, ...(typeof extra === 'object' ? extra : {}) }));
`;

try {
  const full = fresh(
    measure(`
const { synthEnvironment } = await import('../dist/index.js');
const { platform } = await import('@cios/catalog');
const release = { environment: 'prod', commit: 'abcdef1', createdBy: 'bench', createdAt: '2026-01-01T00:00:00Z',
  images: Object.fromEntries([...platform.services.map((s) => [s.name, s.image + ':1.0.0@sha256:' + 'a'.repeat(64)]),
    ['backup-tools', 'ghcr.io/cios/backup-tools:1.4.0@sha256:' + 'b'.repeat(64)]]) };
let files = 0;
for (const env of platform.environments) {
  const r = synthEnvironment({ platform, environment: env.name, outdir: ${JSON.stringify(tmp)} + '/' + env.name, ...(env.kind === 'prod' ? { release } : {}) });
  files += r.stacks.length;
}
const extra = { stacks: files };
`),
  );
  console.log(`whole catalog, every environment, fresh process: ${full.ms.toFixed(0)} ms wall (incl. imports), peak RSS ${full.maxRssMb.toFixed(0)} MB, ${full.stacks} stacks`);

  for (const n of [50, 200, 500]) {
    const r = fresh(
      measure(`
const { renderStacks, checkPolicy } = await import('../dist/index.js');
const { Platform, parseSpec } = await import('@cios/platform-spec');
const { platformInput } = await import('@cios/catalog');
const template = platformInput.services.find((s) => s.name === 'case-service');
const services = Array.from({ length: ${n} }, (_, i) => ({ ...template, name: 'svc-' + i, image: 'ghcr.io/cios/svc-' + i,
  dependsOn: i > 0 ? ['svc-' + (i - 1)] : [] }));
const platform = parseSpec(Platform, { services, environments: platformInput.environments }, 'synthetic');
const env = platform.environments.find((e) => e.name === 'staging');
const t1 = performance.now();
const stacks = renderStacks({ platform, environment: env });
const t2 = performance.now();
const report = checkPolicy({ environment: env, stacks });
const t3 = performance.now();
const extra = { renderMs: t2 - t1, policyMs: t3 - t2, findings: report.findings.length };
`),
    );
    console.log(
      `synthetic catalog of ${String(n).padStart(3)} services (staging): render ${r.renderMs.toFixed(0)} ms (${(r.renderMs / n).toFixed(2)} ms/service), policy ${r.policyMs.toFixed(0)} ms, process total ${r.ms.toFixed(0)} ms, peak RSS ${r.maxRssMb.toFixed(0)} MB`,
    );
  }

  const runs = 3;
  const time = (spec) => {
    const all = Array.from({ length: runs }, () => fresh(measure(spec)).ms).sort((a, b) => a - b);
    return all[Math.floor(runs / 2)];
  };
  const index = time(`const m = await import('@cdktf/provider-kubernetes'); void m.deploymentV1.DeploymentV1; void m.statefulSetV1.StatefulSetV1; void m.namespaceV1.NamespaceV1;`);
  const deep = time(`await import('@cdktf/provider-kubernetes/lib/deployment-v1/index.js'); await import('@cdktf/provider-kubernetes/lib/stateful-set-v1/index.js'); await import('@cdktf/provider-kubernetes/lib/namespace-v1/index.js');`);
  const lib = time(`await import('../dist/index.js');`);
  console.log(`import provider resources by package index: ${index.toFixed(0)} ms (median of ${runs})`);
  console.log(`import provider resources by submodule path: ${deep.toFixed(0)} ms (median of ${runs}); kept: submodule paths (src/k8s.ts)`);
  console.log(`import @cios/infra (dist): ${lib.toFixed(0)} ms`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
