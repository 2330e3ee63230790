import { createRequire } from 'node:module';
import type * as Cdktf from 'cdktf';
import type * as Constructs from 'constructs';
import type * as Synthesizer from 'cdktf/lib/synthesize/synthesizer.js';
import type * as StackTrace from 'cdktf/lib/tokens/private/stack-trace.js';

/**
 * cdktf and constructs are CommonJS. An ESM `import` of them makes Node pre-parse every file of their
 * re-export tree with cjs-module-lexer before running it (about a third of start-up CPU, bench/synth-bench.mjs);
 * `require` skips that. Types still come from the packages' declarations.
 */
const require = createRequire(import.meta.url);

const cdktf = require('cdktf') as typeof Cdktf;
const constructs = require('constructs') as typeof Constructs;

export const Construct = constructs.Construct;
export type Construct = Constructs.Construct;
export const TerraformStack = cdktf.TerraformStack;
export type TerraformStack = Cdktf.TerraformStack;
export const TerraformBackend = cdktf.TerraformBackend;
export type TerraformBackend = Cdktf.TerraformBackend;
export const TerraformRemoteState = cdktf.TerraformRemoteState;
export type TerraformRemoteState = Cdktf.TerraformRemoteState;
export const TerraformVariable = cdktf.TerraformVariable;
export type TerraformVariable = Cdktf.TerraformVariable;
export type { DataTerraformRemoteStateConfig, ITerraformDependable } from 'cdktf';

export const invokeAspects = (require('cdktf/lib/synthesize/synthesizer.js') as typeof Synthesizer).invokeAspects;

const stackTrace = require('cdktf/lib/tokens/private/stack-trace.js') as { captureStackTrace: typeof StackTrace.captureStackTrace };

/**
 * Runs `build` without cdktf recording a full creation stack trace for every token and nested block
 * object (Error.stackTraceLimit = MAX_SAFE_INTEGER, thousands per environment: about a third of synth CPU).
 * Those traces only decorate token-resolution errors, which our typed constructs do not produce; the
 * synthesized JSON is the same. cdktf calls the helper through its module's exports at each call, so
 * swapping the export for the duration takes effect and is undone afterwards, even on error.
 */
export function withoutCreationStacks<T>(build: () => T): T {
  const original = stackTrace.captureStackTrace;
  stackTrace.captureStackTrace = () => [];
  try {
    return build();
  } finally {
    stackTrace.captureStackTrace = original;
  }
}
