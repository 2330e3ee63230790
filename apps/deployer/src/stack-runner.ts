import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RenderedRelease } from './artifacts.js';
import type { Progress } from './progress.js';
import { type PlanSummary, type Terraform, formatPlanSummary } from './terraform.js';
import type { Workspace } from './workspace.js';

export interface StackOutcome {
  readonly stack: string;
  readonly action: 'apply' | 'destroy';
  readonly summary: PlanSummary;
  /** Digest of the saved plan's intended changes (plan-digest.ts). */
  readonly changesDigest: string;
}

export class StackFailedError extends Error {
  constructor(
    readonly stackName: string,
    override readonly cause: Error,
  ) {
    super(`stack ${stackName}: ${cause.message}`);
    this.name = 'StackFailedError';
  }
}

const PLAN_FILE = 'cios.tfplan';

/**
 * Applies a release's full configuration: each stack is planned to a saved plan and that exact
 * plan applied; stacks the release no longer has are destroyed (reverse order). A rollback is
 * this same call with the older artifact, so whatever only the newer release added goes away.
 */
export async function applyStacks(tf: Terraform, ws: Workspace, rendered: RenderedRelease, progress: Progress): Promise<StackOutcome[]> {
  const outcomes: StackOutcome[] = [];
  const wanted = Object.keys(rendered.stacks);
  for (const stack of wanted) {
    outcomes.push(await runStack(tf, ws, stack, rendered.stacks[stack] as string, 'apply', progress));
  }
  const extras = ws.existingStacks().filter((s) => !wanted.includes(s)).reverse();
  for (const stack of extras) {
    const json = fs.readFileSync(path.join(ws.stackDir(stack), 'cdk.tf.json'), 'utf8');
    outcomes.push(await runStack(tf, ws, stack, json, 'destroy', progress));
    ws.remove(stack);
  }
  return outcomes;
}

async function runStack(tf: Terraform, ws: Workspace, stack: string, json: string, action: 'apply' | 'destroy', progress: Progress): Promise<StackOutcome> {
  const dir = ws.prepare(stack, json);
  const planFile = path.join(dir, PLAN_FILE);
  try {
    progress.step(`terraform init ${stack}`);
    await tf.init(dir);
    progress.step(`terraform plan${action === 'destroy' ? ' -destroy' : ''} ${stack}`);
    const changed = await tf.plan(dir, PLAN_FILE, { destroy: action === 'destroy' });
    const { summary, changesDigest } = await tf.show(dir, PLAN_FILE);
    if (changed) {
      progress.step(`terraform apply ${stack} (${formatPlanSummary(summary)})`);
      await tf.apply(dir, PLAN_FILE);
    }
    progress.done(`${action} ${stack}: ${changed ? formatPlanSummary(summary) : 'no changes'}`);
    return { stack, action, summary, changesDigest };
  } catch (error) {
    progress.fail(`${action} ${stack}: ${(error as Error).message}`);
    throw new StackFailedError(stack, error as Error);
  } finally {
    // A saved plan holds variable values in clear text: it never outlives the apply.
    fs.rmSync(planFile, { force: true });
  }
}

/** Speculative plan for `cios-deploy plan`: same config and state, separate work dir, plan file removed. */
export async function planStacks(tf: Terraform, ws: Workspace, rendered: RenderedRelease, progress: Progress): Promise<StackOutcome[]> {
  const outcomes: StackOutcome[] = [];
  for (const [stack, json] of Object.entries(rendered.stacks)) {
    const dir = ws.prepare(stack, json);
    try {
      progress.step(`terraform init ${stack}`);
      await tf.init(dir);
      progress.step(`terraform plan ${stack}`);
      await tf.plan(dir, PLAN_FILE);
      const { summary, changesDigest } = await tf.show(dir, PLAN_FILE);
      progress.done(`plan ${stack}: ${formatPlanSummary(summary)}`);
      outcomes.push({ stack, action: 'apply', summary, changesDigest });
    } finally {
      fs.rmSync(path.join(dir, PLAN_FILE), { force: true });
    }
  }
  return outcomes;
}
