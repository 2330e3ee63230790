import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { formatFindings, hasErrors, lintDockerfile, renderImageFiles, type DockerfileLintReport } from '@cios/containers';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { renderProps } from './render-props.js';

export const LINT_HELP = `Usage: cios-image lint [FILE…] [--dev] [--json]

Lints Dockerfiles (CIOS-DF-0NN rules: digest-pinned bases, numeric non-root USER, no ADD of URLs, apt hygiene,
no secrets in ENV/ARG, COPY --chown, exec-form CMD/ENTRYPOINT). Without FILE: every project Dockerfile, the
rendered Dockerfile of every service built from source, and docker/*/Dockerfile.

  --dev    tag-only bases are warnings (production rules, the default, make them errors)
  --json   findings as JSON on stdout

Exit: 0 no error, 1 an error finding, 2 usage.`;

export function runLint(context: CommandContext, files: readonly string[], options: { dev: boolean }): number {
  const { io, root } = context;
  const prod = !options.dev;
  const reports: DockerfileLintReport[] = [];
  if (files.length > 0) {
    for (const file of files) {
      const path = resolve(io.cwd, file);
      if (!existsSync(path)) throw new CliError(`${file} does not exist`);
      const target = context.targets.find((t) => t.dockerfile === path);
      reports.push(
        lintDockerfile(readFileSync(path, 'utf8'), {
          file: relative(root, path) || file,
          prod,
          ...(target ? { expectedUser: target.runAsUser } : {}),
        }),
      );
    }
  } else {
    for (const target of context.targets) {
      if (!target.contextDir) continue;
      if (target.dockerfile) {
        reports.push(lintDockerfile(readFileSync(target.dockerfile, 'utf8'), { file: relative(root, target.dockerfile), prod, expectedUser: target.runAsUser }));
      } else {
        const files = renderImageFiles(target, renderProps(target, root));
        reports.push(lintDockerfile(files.dockerfile, { file: `${relative(root, target.contextDir)}/Dockerfile (rendered)`, prod, expectedUser: target.runAsUser }));
      }
    }
    const dockerDir = join(root, 'docker');
    for (const dir of existsSync(dockerDir) ? readdirSync(dockerDir).sort() : []) {
      const path = join(dockerDir, dir, 'Dockerfile');
      if (existsSync(path)) reports.push(lintDockerfile(readFileSync(path, 'utf8'), { file: relative(root, path), prod }));
    }
  }
  const failed = reports.some(hasErrors);
  if (context.json) {
    io.stdout(`${JSON.stringify({ ok: !failed, reports }, null, 2)}\n`);
  } else {
    const text = formatFindings(reports);
    if (text) io.stdout(`${text}\n`);
    const count = reports.reduce((n, r) => n + r.findings.length, 0);
    const suppressed = reports.reduce((n, r) => n + r.suppressed.length, 0);
    io.stdout(`${reports.length} Dockerfile${reports.length === 1 ? '' : 's'} checked: ${count} finding${count === 1 ? '' : 's'}${suppressed ? `, ${suppressed} suppressed` : ''}\n`);
  }
  return failed ? 1 : 0;
}
