// Prints figures; asserts nothing. Run with `nx run @cios/monitoring:bench` (builds first).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Minutes from the start of a 2 % error ratio (20× burn of a 99.9 % SLO) until the page fires, and from the
 * end of the errors until it resets, at a 1-minute evaluation interval. promtool steps through time: one
 * alert_rule_test per minute expects silence, so promtool's failures are exactly the minutes it fired.
 */
async function timeToPage() {
  const service = { ...platform.services.find((s) => s.workload === 'stateless' && s.slos.length > 0) };
  service.slos = [{ name: 'availability', sli: 'availability', objective: 99.9 }];
  const subject = parseSpec(Platform, { services: [{ ...service, dependsOn: [], ingress: undefined }], environments: platform.environments }, 'time-to-page');
  const generated = generateMonitoring({ platform: subject, environment: 'prod', format: 'files' });
  // The service's rule files (one per SLO, its traffic guard, its Kubernetes alerts).
  const serviceRuleFiles = Object.keys(generated.files).filter((f) => f.startsWith(`prometheus/rules/${service.name}.`));
  const namespace = generated.model.services[0].namespace;
  const labels = `namespace="${namespace}",service="${service.name}",method="GET",route="/"`;
  const clean = 400; // minutes before the errors: longer than the 6 h window of page-slow
  const burn = 180; // minutes of 2 % errors
  const after = 180; // minutes after the errors stop
  const perMinute = 6000;
  const bad = perMinute * 0.02;
  const good = `0+${perMinute}x${clean} ${perMinute * clean + perMinute - bad}+${perMinute - bad}x${burn - 1} ${perMinute * clean + (perMinute - bad) * burn + perMinute}+${perMinute}x${after - 1}`;
  const errors = `0+0x${clean} ${bad}+${bad}x${burn - 1} ${bad * burn}+0x${after - 1}`;
  const dir = mkdtempSync(join(tmpdir(), 'cios-mon-ttp-'));
  try {
    await writeFilesAtomically(join(dir, 'out'), generated.files);
    const results = {};
    for (const alertname of ['SloBurnRatePageFast', 'SloBurnRatePageSlow']) {
      const minutes = Array.from({ length: burn + after }, (_, i) => clean + 1 + i);
      const test = {
        rule_files: serviceRuleFiles.map((f) => join(dir, 'out', f)),
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              { series: `http_requests_total{${labels},code="200"}`, values: good },
              { series: `http_requests_total{${labels},code="500"}`, values: errors },
            ],
            alert_rule_test: minutes.map((m) => ({ eval_time: `${m}m`, alertname, exp_alerts: [] })),
          },
        ],
      };
      const testFile = join(dir, `${alertname}.test.yml`);
      writeFileSync(testFile, JSON.stringify(test));
      let output = '';
      try {
        execFileSync('promtool', ['test', 'rules', testFile], { encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
      }
      const firing = [...output.matchAll(/alertname: \w+, time: (?:(\d+)h)?(?:(\d+)m)?(?:\d+s)?,/g)].map((m) => Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0));
      if (firing.length === 0) {
        console.log(`time to page: ${alertname} never fired in ${burn} minutes of 20× burn (promtool said: ${output.split('\n').slice(0, 3).join(' ')})`);
        continue;
      }
      const first = Math.min(...firing) - clean;
      const last = Math.max(...firing) - clean - burn;
      results[alertname] = { first, reset: last + 1 };
      console.log(
        `time to page (99.9 % SLO, 2 % errors = 20× burn, 1 m evaluation): ${alertname} fires ${first} min after errors start; resets ${last + 1} min after they stop`,
      );
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await timeToPage();
