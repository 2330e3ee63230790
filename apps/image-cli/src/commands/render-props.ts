import { relative } from 'node:path';
import type { DockerfileProps } from '@cios/containers';
import { CliError } from '../errors.js';
import { readNodeProject, type ImageTarget } from '../targets.js';

/** Renderer props read from the project: the node entry point and whether a lockfile exists. */
export function renderProps(target: ImageTarget, root: string): DockerfileProps {
  if (target.runtime !== 'node' || !target.contextDir) return {};
  const project = readNodeProject(target.contextDir, root);
  if (!project) return {};
  if (!project.lockfile && Object.keys(project.dependencies).length > 0) {
    throw new CliError(
      `${relative(root, target.contextDir)} has dependencies but no package-lock.json, so its image would not be reproducible; add a lockfile or keep a hand-written Dockerfile there`,
    );
  }
  return {
    lockfile: project.lockfile,
    ...(project.main?.startsWith('dist/') ? { entrypoint: project.main } : {}),
  };
}
