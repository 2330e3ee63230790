/** The deployer's view of the KB: every read validates, every write goes through @cios/knowledge-base's locked update. */
import {
  type Deployment,
  type DeploymentInput,
  type DeploymentPatch,
  type KnowledgeBase,
  appendLog,
  completeTask,
  findTask,
  isKbError,
  loadKb,
  logInfrastructureChange,
  progressTask,
  recordDeployment,
  resolveKbPath,
  update,
  updateDeployment,
} from '@cios/knowledge-base';
import { type KbDeployment, type KbView, inProgress } from './kb-view.js';

export class KbInvalidError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KbInvalidError';
  }
}

/**
 * A new deployment record was refused because the environment already has one in progress: recorded
 * by a deploy on another machine that shares this KB, between this run's first read and its start.
 */
export class EnvironmentBusyError extends Error {
  constructor(readonly running: KbDeployment) {
    super(`deployment ${running.id} of release ${running.release_id} is in progress in ${running.environment}`);
    this.name = 'EnvironmentBusyError';
  }
}

export interface TaskProgress {
  readonly id: string;
  readonly progress: number;
  readonly note: string;
  readonly complete?: boolean;
}

export interface DeploymentWrite {
  /** A new deployment (a deploy or rollback starting): written only if its environment has none in progress. */
  readonly record?: DeploymentInput;
  readonly patch?: { readonly id: string; readonly fields: DeploymentPatch };
  /** Fields the KB schema does not name (evidence, hashes); kept as loose keys on the record. */
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly events?: readonly { event: string; details: string; [k: string]: unknown }[];
  readonly infraChange?: { what: string; why: string; stacks: readonly string[]; task_id?: string | undefined; commit?: string | undefined };
  readonly task?: TaskProgress;
  /** Marks another deployment (the one this rollback replaced) as rolled back. */
  readonly rolledBack?: { readonly id: string; readonly by: string; readonly note: string };
}

export class KbStore {
  readonly file: string;

  constructor(
    file: string | undefined,
    readonly actor: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    try {
      this.file = resolveKbPath({ file });
    } catch (error) {
      throw new KbInvalidError(isKbError(error) ? error.message : String(error));
    }
  }

  /** Validated read; an invalid KB stops the deploy before anything is touched. */
  read(): KbView & KnowledgeBase {
    try {
      return loadKb(this.file).kb as KbView & KnowledgeBase;
    } catch (error) {
      // The KB error's message already lists its problems (up to a limit): listing `issues` again printed each twice.
      if (isKbError(error)) throw new KbInvalidError(`the knowledge base is invalid, nothing was changed: ${error.message}`);
      throw error;
    }
  }

  /** One locked, validated, atomic write with everything a deploy step records. Returns the deployment id. */
  async write(w: DeploymentWrite): Promise<string | undefined> {
    const result = await update(
      (kb, ctx) => {
        const at = ctx.now();
        let d: Deployment | undefined;
        if (w.record) {
          // Checked under the KB's write lock, so of two machines that share the KB and start at once, one records.
          const running = inProgress(kb as KbView, w.record.environment);
          if (running) throw new EnvironmentBusyError(running);
          d = recordDeployment(kb, w.record, at);
        }
        if (w.patch) d = updateDeployment(kb, w.patch.id, w.patch.fields, at);
        if (d && w.extra) Object.assign(d, w.extra);
        if (w.rolledBack) {
          const old = kb.deployments?.find((x) => x.id === w.rolledBack?.id);
          if (old && old.status !== 'rolled_back') {
            updateDeployment(kb, old.id, { status: 'rolled_back', notes: w.rolledBack.note }, at);
          }
        }
        for (const e of w.events ?? []) appendLog(kb, { timestamp: at, agent: this.actor, ...e });
        if (w.infraChange) logInfrastructureChange(kb, { by: this.actor, ...w.infraChange }, at);
        if (w.task) this.progress(kb, w.task, at);
        return d?.id;
      },
      { file: this.file, now: this.now },
    );
    return result.value;
  }

  /** Task progress is best effort: a task given with --task may not be the DevOps agent's to move. */
  private progress(kb: KnowledgeBase, t: TaskProgress, at: string): void {
    if (!findTask(kb, t.id)) return;
    try {
      if (t.complete) completeTask(kb, { id: t.id, agent: this.actor, result: 'success', notes: t.note }, at);
      else progressTask(kb, { id: t.id, agent: this.actor, progress: t.progress, note: t.note }, at);
    } catch (error) {
      if (!isKbError(error)) throw error;
      appendLog(kb, { timestamp: at, event: 'task_progress_skipped', agent: this.actor, details: `${t.id}: ${error.message}`, assignment_id: t.id });
    }
  }
}
