import { platform } from '@cios/catalog';
import type { Platform } from '@cios/platform-spec';
import { repositoryRoot } from './git.js';
import type { Io, Progress } from './io.js';
import { createProgress } from './io.js';
import { imageTargets, type ImageTarget } from './targets.js';

/** Everything a command needs, built once from the CLI's I/O. */
export interface CommandContext {
  readonly io: Io;
  readonly root: string;
  readonly platform: Platform;
  readonly targets: ImageTarget[];
  readonly json: boolean;
  readonly progress: Progress;
}

export function commandContext(io: Io, json: boolean): CommandContext {
  const root = repositoryRoot(io.cwd);
  return { io, root, platform, targets: imageTargets(root, platform.services), json, progress: createProgress(io, json) };
}
