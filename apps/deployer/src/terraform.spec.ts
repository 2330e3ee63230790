import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Terraform, TerraformError, findExecutable, offlineProviders } from './terraform.js';

const found = findExecutable('terraform');
// Fail loudly rather than skip (as test/deploy.spec.ts does): a missing binary must not pass as green.
if (!found) throw new Error('the Terraform driver tests need terraform on PATH (e.g. /usr/local/bin/terraform)');
const bin: string = found;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-tf-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function stack(dir: string, resources: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  const data = Object.fromEntries(Object.entries(resources).map(([name, cmd]) => [name, { input: cmd, provisioner: [{ 'local-exec': { command: cmd } }] }]));
  fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({ resource: { terraform_data: data } }));
  return dir;
}

describe('Terraform driver (real terraform, terraform_data only)', () => {
  it('plans to a saved plan, summarises it and applies exactly that plan', async () => {
    const lines: string[] = [];
    const tf = new Terraform({ bin, onLine: (l) => lines.push(l) });
    const dir = stack(path.join(tmp, 'ok'), { a: 'echo a > a.txt', b: 'echo b > b.txt' });
    await tf.init(dir);
    expect(await tf.plan(dir, 'p.tfplan')).toBe(true);
    const { summary, changesDigest } = await tf.show(dir, 'p.tfplan');
    expect(changesDigest).toMatch(/^[0-9a-f]{64}$/);
    // Planning the same config against the same state again gives the same digest, though not the same plan file.
    expect(await tf.plan(dir, 'again.tfplan')).toBe(true);
    expect((await tf.show(dir, 'again.tfplan')).changesDigest).toBe(changesDigest);
    expect(summary).toMatchObject({ add: 2, change: 0, destroy: 0 });
    expect(summary.changes.map((c) => c.address)).toEqual(['terraform_data.a', 'terraform_data.b']);
    await tf.apply(dir, 'p.tfplan');
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8').trim()).toBe('a');
    expect(await tf.plan(dir, 'p2.tfplan')).toBe(false);
    expect(lines.some((l) => l.includes('Apply complete'))).toBe(true);
  });

  it('reports a failed apply with the error line', async () => {
    const tf = new Terraform({ bin });
    const dir = stack(path.join(tmp, 'bad'), { boom: 'exit 7' });
    await tf.init(dir);
    await tf.plan(dir, 'p.tfplan');
    const error = await tf.apply(dir, 'p.tfplan').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TerraformError);
    expect((error as TerraformError).reason).toMatch(/Error:/);
  });
});

describe('offlineProviders', () => {
  it('names the provider the registry could not serve', () => {
    const out = `Error: Failed to query available provider packages\n\nCould not retrieve the list of available versions for provider\nhashicorp/kubernetes: could not connect to registry.terraform.io: failed to request discovery document`;
    expect(offlineProviders(out)).toEqual(['registry.terraform.io/hashicorp/kubernetes']);
    expect(offlineProviders('Error: Unsupported argument')).toEqual([]);
  });
});
