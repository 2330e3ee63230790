export { runCli, HELP } from './main.js';
export type { Io } from './io.js';
export { imageTargets, selectTargets, type ImageTarget } from './targets.js';
export { detectBuilder, buildCommand, buildahGlobals, type BuilderKind, type BuildRequest } from './builder.js';
export { EXIT, CliError, UsageError } from './errors.js';
export { supportImages, type SupportImage } from './support-images.js';
