export * from './base-images.js';
export * from './dockerfile-parser.js';
export * from './render-dockerfile.js';
export * from './lint-types.js';
export { DOCKERFILE_RULES, SYNTAX_RULE_ID, SUPPRESSION_RULE_ID } from './lint-rules.js';
export type { DockerfileRule } from './lint-context.js';
export { lintDockerfile, hasErrors, formatFindings } from './lint-dockerfile.js';
export * from './registry.js';
export * from './release.js';
