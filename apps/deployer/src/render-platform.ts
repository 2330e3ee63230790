/** The normal renderer: @cios/infra synthesizes the stacks, @cios/monitoring the monitoring config. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PolicyError, synthEnvironment } from '@cios/infra';
import { generateMonitoring } from '@cios/monitoring';
import { PolicyRefusal, type Renderer } from './render.js';

export const platformRenderer: Renderer = {
  async stacks({ platform, env, release }) {
    // Synthesis writes files; it gets a private temp dir, the artifact store keeps the result.
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-synth-'));
    try {
      const result = synthEnvironment({ platform, environment: env.name, release, outdir });
      const stacks: Record<string, string> = {};
      for (const s of result.stacks) stacks[s.name] = fs.readFileSync(s.file, 'utf8');
      return { stacks, findings: result.findings };
    } catch (error) {
      if (error instanceof PolicyError) throw new PolicyRefusal(error.findings.filter((f) => f.severity === 'error'));
      throw error;
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  },
  async monitoring({ platform, env }) {
    return { ...generateMonitoring({ platform, environment: env.name, format: 'files' }).files };
  },
};
