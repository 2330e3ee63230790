import { join, relative } from 'node:path';
import { renderImageFiles } from '@cios/containers';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../io.js';
import { selectTargets } from '../targets.js';
import { renderProps } from './render-props.js';

export const DOCKERFILE_HELP = `Usage: cios-image dockerfile SERVICE [--write]

Prints the Dockerfile rendered from the service spec, or with --write writes Dockerfile and .dockerignore into
its source directory (to keep and edit by hand from then on).
Exit: 0 done, 1 refused, 2 usage.`;

export function runDockerfile(context: CommandContext, name: string, write: boolean): number {
  const [target] = selectTargets(context.targets, [name]);
  if (!target) throw new CliError(`unknown service "${name}"`);
  const files = renderImageFiles(target, renderProps(target, context.root));
  if (!write) {
    context.io.stdout(files.dockerfile);
    return 0;
  }
  if (!target.contextDir) throw new CliError(`cannot write the Dockerfile of ${name}: ${target.skipped ?? 'it has no source directory'}`);
  writeFileAtomic(join(target.contextDir, 'Dockerfile'), files.dockerfile);
  writeFileAtomic(join(target.contextDir, '.dockerignore'), files.dockerignore);
  context.io.stdout(`wrote ${relative(context.root, join(target.contextDir, 'Dockerfile'))} and .dockerignore\n`);
  return 0;
}
