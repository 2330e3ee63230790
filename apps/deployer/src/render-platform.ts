/** The normal renderer: @cios/infra synthesizes the stacks, @cios/monitoring the monitoring config. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PolicyError, synthEnvironment, synthMonitoringConfig, type MonitoringConfigOptions } from '@cios/infra';
import { LAYOUT, generateMonitoring } from '@cios/monitoring';
import type { Platform } from '@cios/platform-spec';
import { PolicyRefusal, type Renderer } from './render.js';

const DASHBOARDS_DIR = path.posix.dirname(LAYOUT.dashboard('overview'));

/**
 * What a cluster needs of @cios/monitoring's output, for @cios/infra's monitoring-config stack: the
 * operator format's objects (PrometheusRules, ServiceMonitors), the Grafana dashboards by file name and
 * alertmanager.yml, generated for that cluster (the primary unless named: a standby's alerts carry its
 * name and page no one). The two libraries never see each other's types: objects cross as plain JSON.
 */
export function monitoringConfigInput(
  platform: Platform,
  environment: string,
  cluster?: string,
): Pick<MonitoringConfigOptions, 'objects' | 'dashboards' | 'alertmanagerConfig'> {
  const generated = generateMonitoring({ platform, environment, format: 'operator', ...(cluster === undefined ? {} : { cluster }) });
  const dashboards: Record<string, string> = {};
  for (const [file, text] of Object.entries(generated.files)) {
    if (path.posix.dirname(file) === DASHBOARDS_DIR) dashboards[path.posix.basename(file)] = text;
  }
  const alertmanagerConfig = generated.files[LAYOUT.alertmanager];
  if (alertmanagerConfig === undefined) throw new Error(`@cios/monitoring wrote no ${LAYOUT.alertmanager} for ${environment}`);
  return { objects: generated.objects, dashboards, alertmanagerConfig };
}

export const platformRenderer: Renderer = {
  async stacks({ platform, env, release }) {
    // Synthesis writes files; it gets a private temp dir, the artifact store keeps the result.
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-synth-'));
    try {
      const result = synthEnvironment({ platform, environment: env.name, release, outdir });
      const stacks: Record<string, string> = {};
      for (const s of result.stacks) stacks[s.name] = fs.readFileSync(s.file, 'utf8');
      // Last in apply order, one per cluster: its objects live in namespaces the platform (or standby) stack
      // creates and watch what the services run. A standby gets its own, so after a failover its Prometheus
      // already has CIOS's rules. Part of the release like any stack: a rollback restores the previous rules.
      const findings = [...result.findings];
      for (const cluster of env.clusters) {
        const input = monitoringConfigInput(platform, env.name, cluster.name);
        const monitoring = synthMonitoringConfig({ platform, environment: env.name, cluster: cluster.name, ...input });
        stacks[monitoring.stack.name] = monitoring.json;
        findings.push(...monitoring.findings);
      }
      return { stacks, findings };
    } catch (error) {
      if (error instanceof PolicyError) throw new PolicyRefusal(error.findings.filter((f) => f.severity === 'error'));
      throw error;
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  },
  async monitoring({ platform, env }) {
    // The files format, kept with the artifact for review and `cios-monitoring validate` (promtool tests included).
    return { ...generateMonitoring({ platform, environment: env.name, format: 'files' }).files };
  },
};
