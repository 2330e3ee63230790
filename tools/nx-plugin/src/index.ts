export { createNodesV2, createCiosNodes, type CiosPluginOptions, type PackageReader } from './plugin.js';
export { inferTargets, binsOf, type PackageFacts, type ProjectFacts, type ToolLocation } from './inference/targets.js';
export * from './inference/markers.js';
