import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Environment } from '@cios/platform-spec';
import { writeFileAtomic } from './fs-atomic.js';

/**
 * Terraform working directories: `<stateDir>/work/<env>/<purpose>/<stack>/`. The config in them
 * is replaced by each release; a local backend's state lives in `<stateDir>/state/<env>/<stack>/`,
 * outside both work dir and artifact, so a rollback applies old config against the current state.
 *
 * The `apply` workspace is the live one: its stacks are what the environment runs, each with the
 * config it was last applied with. The `plan` workspace only holds configs for speculative plans;
 * its stacks read the same state as the apply workspace's (the same local state file, or the
 * remote backend the config names), and `terraform plan` never writes that state.
 */
export class Workspace {
  constructor(
    readonly stateDir: string,
    readonly env: Environment,
    readonly purpose: 'apply' | 'plan' = 'apply',
  ) {}

  get root(): string {
    return path.join(this.stateDir, 'work', this.env.name, this.purpose);
  }

  stackDir(stack: string): string {
    return path.join(this.root, stack);
  }

  statePath(stack: string): string {
    const file = this.env.backend.type === 'local' ? this.env.backend.path : 'terraform.tfstate';
    return path.resolve(this.stateDir, 'state', this.env.name, stack, path.basename(file));
  }

  /** Writes the stack's config (and the local backend override); returns the directory. */
  prepare(stack: string, json: string): string {
    const dir = this.stackDir(stack);
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(path.join(dir, 'cdk.tf.json'), json);
    const override = path.join(dir, 'zz_cios_backend_override.tf.json');
    if (this.env.backend.type === 'local') {
      fs.mkdirSync(path.dirname(this.statePath(stack)), { recursive: true });
      writeFileAtomic(override, `${JSON.stringify({ terraform: { backend: { local: { path: this.statePath(stack) } } } }, null, 2)}\n`);
    } else {
      fs.rmSync(override, { force: true });
    }
    return dir;
  }

  /** Stacks that have a working directory here (applied before, perhaps by an older release). */
  existingStacks(): string[] {
    try {
      return fs
        .readdirSync(this.root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && fs.existsSync(path.join(this.root, d.name, 'cdk.tf.json')))
        .map((d) => d.name)
        .sort();
    } catch {
      return [];
    }
  }

  /**
   * The config the stack was last prepared with here (for the apply workspace: last applied), or
   * undefined once it is gone: a running apply may have just destroyed and removed it (plan does not
   * take the environment lock; what an apply does is checked again under it).
   */
  config(stack: string): string | undefined {
    try {
      return fs.readFileSync(path.join(this.stackDir(stack), 'cdk.tf.json'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  remove(stack: string): void {
    fs.rmSync(this.stackDir(stack), { recursive: true, force: true });
  }
}
