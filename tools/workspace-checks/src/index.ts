export * from './workflow-lint.js';
export * from './workflow-policy.js';
