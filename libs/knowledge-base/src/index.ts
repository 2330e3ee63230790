/**
 * @cios/knowledge-base — the shared `.ai-knowledge-base.json`: schema, safe loading,
 * locked atomic updates, queries and changes. See README.md.
 */
export * from './errors.js';
export * from './schema.js';
export { parseKbJson, decodeText, lineColumn, DEFAULT_MAX_BYTES, MAX_DEPTH } from './json.js';
export { problemsOf, assertKnowledgeBase, formatPath } from './validate.js';
export { checkIntegrity } from './integrity.js';
export * from './load.js';
export * from './lock.js';
export * from './atomic-write.js';
export * from './update.js';
export { submitChange } from './commit-queue.js';
export { operations, applyOperation, changedNothing, OPERATION_NAMES, type OperationName, type OperationInput, type OperationValue } from './operations.js';
export { queueDirFor, recoverQueue } from './queue-files.js';
export * from './ids.js';
export * from './assignees.js';
export * from './time.js';
export * from './queries.js';
export * from './mutations.js';
export * from './platform.js';
export * from './test-report.js';
