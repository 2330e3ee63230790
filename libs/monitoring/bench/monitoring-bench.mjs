// Prints figures; asserts nothing. Run with `nx run @cios/monitoring:bench` (builds first).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { platform } from '@cios/catalog';
import { Platform, parseSpec } from '@cios/platform-spec';
import { generateMonitoring, writeFilesAtomically } from '../dist/index.js';

function synthetic(count) {
  const template = platform.services.find((s) => s.workload === 'stateless' && s.slos.length > 0);
  const services = Array.from({ length: count }, (_, i) => ({ ...template, name: `svc-${String(i).padStart(3, '0')}`, dependsOn: [], ingress: undefined }));
  return parseSpec(Platform, { services, environments: platform.environments }, `synthetic ${count}`);
}

function measure(label, subject) {
  const started = performance.now();
  const generated = generateMonitoring({ platform: subject, environment: 'prod', format: 'files' });
  const ms = performance.now() - started;
  const rules = generated.rules.flatMap((f) => f.groups.flatMap((g) => g.rules));
  const sloRules = generated.rules.flatMap((f) => f.groups.filter((g) => g.name.startsWith('slo-')).flatMap((g) => g.rules));
  const slos = subject.services.reduce((n, s) => n + s.slos.length, 0);
  const recorded = rules.filter((r) => 'record' in r).length;
  console.log(
    `${label}: ${subject.services.length} services, ${slos} SLOs: generate ${ms.toFixed(0)} ms; ` +
      `${rules.length} rules (${(sloRules.length / slos).toFixed(1)} SLO rules per SLO; Sloth 17, Pyrra ~13); ` +
      `${recorded} recorded series per label set`,
  );
  return generated;
}

async function promtoolCheck(label, generated) {
  const dir = mkdtempSync(join(tmpdir(), 'cios-mon-bench-'));
  try {
    await writeFilesAtomically(dir, generated.files);
    const files = Object.keys(generated.files).filter((f) => f.startsWith('prometheus/rules/')).map((f) => join(dir, f));
    const started = performance.now();
    execFileSync('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...files], { stdio: 'ignore' });
    console.log(`${label}: promtool check rules on ${files.length} files: ${(performance.now() - started).toFixed(0)} ms`);
  } catch (error) {
    console.log(`${label}: promtool check failed or is missing: ${error.message.split('\n')[0]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const catalog = measure('catalog', platform);
await promtoolCheck('catalog', catalog);
const big = measure('synthetic', synthetic(500));
await promtoolCheck('synthetic', big);
