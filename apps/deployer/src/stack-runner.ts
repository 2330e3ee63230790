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

/** One thing an apply does to one stack, with the config it does it with. */
export interface StackTask {
  readonly stack: string;
  readonly action: 'apply' | 'destroy';
  readonly json: string;
}

/**
 * Everything applying `rendered` over the live (apply) workspace does, in order: each of the
 * release's stacks applied with its config, then each stack the environment runs that the release
 * does not destroyed (reverse order) with the config it was last applied with: the live workspace's,
 * or for a stack the workspace lacks, the one in `recorded` (stack → config of the releases the KB
 * says run there; the deployer passes it only for remote backends, whose state does not live in the
 * workspace's state dir). Planning and applying both start here, so an approval binds exactly the
 * stacks the apply touches.
 */
export function stackTasks(live: Workspace, rendered: RenderedRelease, recorded: Readonly<Record<string, string>> = {}): StackTask[] {
  const wanted = Object.keys(rendered.stacks);
  const applies = wanted.map((stack): StackTask => ({ stack, action: 'apply', json: rendered.stacks[stack] as string }));
  const inWorkspace = live.existingStacks();
  const running = [...inWorkspace, ...Object.keys(recorded).filter((s) => !inWorkspace.includes(s))];
  const destroys = running
    .filter((s) => !wanted.includes(s))
    .reverse()
    .flatMap((stack): StackTask[] => {
      const json = live.config(stack) ?? recorded[stack];
      return json === undefined ? [] : [{ stack, action: 'destroy', json }];
    });
  return [...applies, ...destroys];
}

/**
 * Applies a release's full configuration: each stack is planned to a saved plan and that exact
 * plan applied; stacks the release no longer has are destroyed (reverse order). A rollback is
 * this same call with the older artifact, so whatever only the newer release added goes away.
 */
export async function applyStacks(tf: Terraform, ws: Workspace, rendered: RenderedRelease, progress: Progress, recorded: Readonly<Record<string, string>> = {}): Promise<StackOutcome[]> {
  const outcomes: StackOutcome[] = [];
  for (const task of stackTasks(ws, rendered, recorded)) {
    outcomes.push(await runStack(tf, ws, task, progress));
    if (task.action === 'destroy') ws.remove(task.stack);
  }
  return outcomes;
}

async function runStack(tf: Terraform, ws: Workspace, { stack, action, json }: StackTask, progress: Progress): Promise<StackOutcome> {
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

/**
 * Speculative plan for `cios-deploy plan` and the approval check: the same tasks `applyStacks`
 * would run (`stackTasks` over the live workspace), each planned in the plan workspace against
 * the same state, destroys with `-destroy`; plan files removed, state never written.
 */
export async function planStacks(tf: Terraform, ws: Workspace, tasks: readonly StackTask[], progress: Progress): Promise<StackOutcome[]> {
  const outcomes: StackOutcome[] = [];
  for (const { stack, action, json } of tasks) {
    const dir = ws.prepare(stack, json);
    const destroy = action === 'destroy';
    try {
      progress.step(`terraform init ${stack}`);
      await tf.init(dir);
      progress.step(`terraform plan${destroy ? ' -destroy' : ''} ${stack}`);
      await tf.plan(dir, PLAN_FILE, { destroy });
      const { summary, changesDigest } = await tf.show(dir, PLAN_FILE);
      progress.done(`plan${destroy ? ' -destroy' : ''} ${stack}: ${formatPlanSummary(summary)}`);
      outcomes.push({ stack, action, summary, changesDigest });
    } finally {
      fs.rmSync(path.join(dir, PLAN_FILE), { force: true });
    }
  }
  return outcomes;
}
