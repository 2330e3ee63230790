/**
 * The deploy state machine: gates → in_progress → apply → watch → succeeded, or → rollback →
 * rolled_back. Every transition is written to the KB before the next step starts, so a crash
 * always leaves an `in_progress` record and a lock that the next run finds and reconciles.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { type Environment, type Platform, type Release, type Service, primaryCluster, servicesIn } from '@cios/platform-spec';
import { type Check, checksFor, worstCaseRollbackSeconds, type CheckOverrides } from './analysis.js';
import { type AnalysisMode, type AnalysisOutcome, runAnalysis } from './analysis-runner.js';
import { clearAbort, readAbort, requestAbort } from './abort-signal.js';
import { type ArtifactRef, ArtifactStore, type RenderedRelease } from './artifacts.js';
import { EnvLock, EnvLockedError, type EnvLockHolder, staleReason } from './env-lock.js';
import { Refusal } from './errors.js';
import { EvidenceLog, type EvidenceRecord } from './evidence.js';
import { type ApprovalGate, type ApprovalSubject, type Gate, approvalGate, rollbackTargetGate, taskGate, testsGate, type TestReport } from './gates.js';
import { boundPlanHash, releaseChangesDigest } from './plan-digest.js';
import { type KbDeployment, type KbView, LOCK_KEY, LOCK_RELEASED_KEY, ROLLBACK_PHASE_KEY, type RecordedLock, type RollbackPhase, inProgress, lastHealthy, lastSucceeded, lockReleasedOf, stayedHealthy, recordedLockOf, rollbackPhaseOf } from './kb-view.js';
import { type DeploymentWrite, EnvironmentBusyError, type KbStore } from './kb-store.js';
import { type MetricsSource, PrometheusClient } from './prometheus.js';
import type { Progress } from './progress.js';
import type { Redactor } from './redact.js';
import { InputError, type ServiceDiff, diffImages, gitInfo, notInEnvironment, readReleaseFile, releaseFromSets, supportImages, unknownReleaseKeys } from './release-input.js';
import { PolicyRefusal, type PolicyFindingView, type Renderer, needsCluster, render, stateBackendContexts } from './render.js';
import { type StackOutcome, type StackTask, StackFailedError, applyStacks, planStacks, stackTasks } from './stack-runner.js';
import { ProviderUnavailableError, Terraform, formatPlanSummary } from './terraform.js';
import { Workspace } from './workspace.js';
import { kubeContextAvailable } from './kubeconfig.js';

export interface DeployerOptions {
  readonly platform: Platform;
  readonly env: Environment;
  /** Where artifacts, work dirs, state and locks live. @default ".cios" */
  readonly stateDir: string;
  readonly kb: KbStore;
  readonly renderer: Renderer;
  /** Resolved terraform executable; undefined when none is installed (render mode). */
  readonly terraformBin: string | undefined;
  /** @default the environment's prometheusUrl */
  readonly prometheusUrl?: string;
  readonly actor: string;
  readonly progress: Progress;
  readonly redactor: Redactor;
  /** @default 120_000: a dead deployer's lease expires within two minutes */
  readonly leaseMs?: number;
  /** Release artifacts kept per environment besides the pinned ones. @default 10 */
  readonly keepReleases?: number;
  /** Estimated seconds to apply a rollback, for the worst-case figure. @default 60 */
  readonly applyEstimateSeconds?: number;
  readonly metricsSource?: (url: string) => MetricsSource;
  readonly checkOverrides?: CheckOverrides;
  readonly now?: () => Date;
}

export interface ReleaseSource {
  readonly file?: string;
  readonly sets?: readonly string[];
}

export interface Prepared {
  readonly rendered: RenderedRelease;
  readonly ref: ArtifactRef;
  readonly findings: readonly PolicyFindingView[];
  readonly previous: KbDeployment | undefined;
  readonly previousRelease: Release | undefined;
  readonly diff: readonly ServiceDiff[];
  readonly notes: readonly string[];
}

export interface PlanReport {
  readonly environment: string;
  readonly releaseId: string;
  readonly releaseHash: string;
  /** What an approval must name: the files hash, bound to `changesDigest` when Terraform planned. */
  readonly planHash: string;
  /** Hash of the rendered stacks and monitoring files (the artifact's plan hash). */
  readonly filesHash: string;
  /** Digest of every stack's planned changes; null when Terraform did not plan. */
  readonly changesDigest: string | null;
  /** One sentence: what the approval of this plan is bound to. */
  readonly approvalBinding: string;
  readonly commit: string;
  readonly artifactDir: string;
  readonly stacks: readonly string[];
  /** Stacks the environment runs (its live workspace) that this release does not: apply destroys them. */
  readonly destroys: readonly string[];
  readonly monitoringFiles: number;
  readonly services: readonly ServiceDiff[];
  /** What the release left as it was and why (e.g. upstream images without a version stay unreleased). */
  readonly notes: readonly string[];
  readonly gates: readonly Gate[];
  /** The last release that succeeded and stayed healthy: what a failed apply returns to. */
  readonly rollbackTarget: string | null;
  /** The last release that succeeded (what runs now): the services diff is against it. */
  readonly running: string | null;
  readonly worstCaseRollbackSeconds: number;
  readonly analysis: Environment['analysis'];
  readonly checks: readonly Pick<Check, 'name' | 'threshold' | 'comparator' | 'minRequests' | 'onNoData' | 'onLowTraffic' | 'basis'>[];
  readonly terraform: { ran: boolean; skipped?: string; stacks: readonly StackOutcome[] };
  readonly skipped: readonly string[];
  readonly findings: readonly PolicyFindingView[];
}

export interface DeployReport {
  readonly deploymentId: string;
  readonly environment: string;
  readonly releaseId: string;
  readonly status: 'succeeded' | 'rolled_back' | 'failed' | 'aborted';
  readonly reason?: string;
  readonly analysis?: Pick<AnalysisOutcome, 'verdict' | 'state' | 'firstFailureAt' | 'decidedAt' | 'unreachable'>;
  readonly rolledBackTo?: string;
  readonly evidenceFile: string;
  readonly rollbackRecordedAt?: string;
  readonly timings: Record<string, number>;
  /** The rollback was what the operator asked for (`apply --rollback` after a crash), not a failure. */
  readonly rollbackRequested?: boolean;
}

export interface ApplyOptions extends ReleaseSource {
  readonly taskId?: string;
  readonly testReport?: TestReport;
  readonly firstDeploy?: boolean;
  readonly analysis?: AnalysisMode;
  /** After a crash: roll the interrupted deploy back instead of resuming it. */
  readonly rollbackInterrupted?: boolean;
  /** `abort` of a deploy whose deployer is gone: the operator's reason; the rollback ends `aborted`. */
  readonly abortReason?: string;
}

/** What a rollback needs to know about the deploy it undoes. */
interface UndoSubject {
  readonly deploymentId: string;
  readonly prepared: Prepared;
  readonly target: string | undefined;
  readonly taskId: string | undefined;
  readonly evidence: EvidenceLog;
}

function newDeploymentId(env: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `DEPLOY_${env}_${stamp}_${randomBytes(2).toString('hex')}`;
}

export class Deployer {
  readonly store: ArtifactStore;
  private readonly now: () => Date;

  constructor(readonly o: DeployerOptions) {
    this.store = new ArtifactStore(o.stateDir);
    this.now = o.now ?? (() => new Date());
  }

  private get env(): Environment {
    return this.o.env;
  }

  private terraform(): Terraform | undefined {
    if (!this.o.terraformBin) return undefined;
    return new Terraform({ bin: this.o.terraformBin, onLine: (l) => this.o.progress.info(`terraform: ${l}`) });
  }

  private metrics(): MetricsSource {
    const url = this.o.prometheusUrl ?? this.env.prometheusUrl;
    return this.o.metricsSource ? this.o.metricsSource(url) : new PrometheusClient(url);
  }

  /** Reads the KB first: an invalid KB stops everything before any file is written. */
  readKb(): KbView {
    try {
      return this.o.kb.read();
    } catch (error) {
      throw new Refusal((error as Error).message, 1);
    }
  }

  async prepare(kb: KbView, source: ReleaseSource): Promise<Prepared> {
    const previous = lastSucceeded(kb, this.env.name);
    const previousRelease = previous && this.store.has(this.env.name, previous.release_id) ? this.store.load(this.env.name, previous.release_id).rendered.release : undefined;
    let release: Release;
    let notes: readonly string[] = [];
    if (source.file) {
      if (source.sets && source.sets.length > 0) throw new Refusal('give either --release FILE or --set service=tag, not both', 2);
      release = readReleaseFile(source.file, this.env.name);
    } else {
      const git = gitInfo();
      if (!git) throw new InputError('no --release file and no git commit to build a release from; pass --release FILE');
      ({ release, notes } = releaseFromSets({ platform: this.o.platform, env: this.env, sets: source.sets ?? [], base: previousRelease?.images, git, createdBy: this.o.actor }));
    }
    const unknown = unknownReleaseKeys(release.images, this.o.platform, this.env);
    if (unknown.length > 0) {
      // Named by file and field: the person fixing it has to find the key.
      const where = source.file ? `${source.file}: ` : previous ? `the release built from --set over the running release ${previous.release_id}: ` : '';
      throw new InputError(`${where}${unknown.map((k) => `images.${k}: ${notInEnvironment(k, this.o.platform, this.env)}`).join('; ')}`);
    }
    this.o.progress.step(`rendering stacks and monitoring for ${this.env.name}`);
    const out = await render(this.o.renderer, { platform: this.o.platform, env: this.env, release });
    const rendered: RenderedRelease = { release, stacks: out.stacks, monitoring: out.monitoring };
    const ref = this.store.save(rendered);
    this.o.progress.done(`rendered release ${ref.id}: ${Object.keys(out.stacks).length} stacks, ${Object.keys(out.monitoring).length} monitoring files`);
    return { rendered, ref, findings: out.findings, previous, previousRelease, diff: this.diff(previousRelease?.images, release.images), notes };
  }

  /** Per image key; support images (backup jobs) are marked so the plan lists them apart from services. */
  private diff(from: Readonly<Record<string, string>> | undefined, to: Readonly<Record<string, string>>): ServiceDiff[] {
    const support = new Set(supportImages(this.o.platform, this.env).map((i) => i.key));
    return diffImages(from, to).map((d) => (support.has(d.service) ? { ...d, support: true } : d));
  }

  /** Services of the environment whose image changed; a config-only release watches every service it runs. */
  changedServices(p: Pick<Prepared, 'diff' | 'rendered'>): Service[] {
    const running = servicesIn(this.o.platform, this.env);
    const isService = (name: string) => running.some((s) => s.name === name);
    const changed = p.diff.filter((d) => (d.change === 'added' || d.change === 'changed') && isService(d.service)).map((d) => d.service);
    const names = changed.length > 0 ? changed : Object.keys(p.rendered.release.images).filter(isService);
    return running.filter((s) => names.includes(s.name));
  }

  gates(kb: KbView, p: Prepared, options: Pick<ApplyOptions, 'taskId' | 'testReport' | 'firstDeploy'>, binding: Pick<ApprovalSubject, 'boundPlanHash' | 'verifyAfterLock'> = {}): Gate[] {
    const gates: Gate[] = [{ name: 'knowledge_base', status: 'passed', details: `${this.o.kb.file} is valid` }];
    gates.push(taskGate(kb, this.env.name, options.taskId));
    gates.push(testsGate(kb, p.rendered.release.commit, options.testReport));
    gates.push(
      approvalGate(kb, this.env, { releaseId: p.ref.id, releaseHash: p.ref.releaseHash, filesHash: p.ref.planHash, ...binding, release: p.rendered.release, actor: this.o.actor }),
    );
    gates.push(rollbackTargetGate(kb, this.env.name, (id) => this.store.has(this.env.name, id), options.firstDeploy ?? false));
    const holder = EnvLock.read(this.o.stateDir, this.env.name);
    const stale = holder ? staleReason(holder, this.now()) : undefined;
    gates.push(
      holder && !stale
        ? { name: 'environment_lock', status: 'failed', details: new EnvLockedError(holder).message }
        : { name: 'environment_lock', status: 'passed', details: holder ? `stale lock of ${holder.owner} will be taken over: ${stale}` : `${this.env.name} is free` },
    );
    return gates;
  }

  async plan(source: ReleaseSource, options: Pick<ApplyOptions, 'taskId' | 'testReport' | 'firstDeploy'> & { renderOnly?: boolean } = {}): Promise<PlanReport> {
    const kb = this.readKb();
    const p = await this.prepare(kb, source);
    const skipped: string[] = [];
    const tf = this.terraform();
    const tasks = stackTasks(this.liveWorkspace(), p.rendered, this.recordedStacks(kb));
    const skip = (reason: string): PlanReport['terraform'] => {
      skipped.push(reason);
      return { ran: false, skipped: reason, stacks: [] };
    };
    const terraform: PlanReport['terraform'] = options.renderOnly
      ? skip('--render-only: terraform init/plan skipped, stacks rendered only')
      : !tf
        ? skip('terraform not found on PATH (or --terraform-bin): init/plan skipped, stacks rendered only')
        : await this.speculativePlan(tf, tasks, skipped);
    const changesDigest = terraform.ran ? releaseChangesDigest(terraform.stacks) : null;
    const planHash = changesDigest ? boundPlanHash(p.ref.planHash, changesDigest) : p.ref.planHash;
    const gates = this.gates(kb, p, options, changesDigest ? { boundPlanHash: planHash } : {});
    const services = this.changedServices(p);
    const checks = checksFor(this.env, services, this.o.checkOverrides);
    return {
      environment: this.env.name,
      releaseId: p.ref.id,
      releaseHash: p.ref.releaseHash,
      planHash,
      filesHash: p.ref.planHash,
      changesDigest,
      approvalBinding: changesDigest
        ? 'release hash and plan hash (the rendered files bound to the changes Terraform plans against the live state, destroys of stacks the release no longer has included: a changed plan voids the approval)'
        : `release hash and plan hash of the rendered files only (${terraform.skipped ?? 'terraform did not plan'}): the changes Terraform would make are not bound`,
      commit: p.rendered.release.commit,
      artifactDir: p.ref.dir,
      stacks: Object.keys(p.rendered.stacks),
      destroys: tasks.filter((t) => t.action === 'destroy').map((t) => t.stack),
      monitoringFiles: Object.keys(p.rendered.monitoring).length,
      services: p.diff,
      notes: p.notes,
      gates,
      rollbackTarget: lastHealthy(kb, this.env.name)?.release_id ?? null,
      running: p.previous?.release_id ?? null,
      worstCaseRollbackSeconds: worstCaseRollbackSeconds(this.env.analysis, this.o.applyEstimateSeconds ?? 60),
      analysis: this.env.analysis,
      checks: checks.map((c) => ({ name: c.name, threshold: c.threshold, comparator: c.comparator, minRequests: c.minRequests, onNoData: c.onNoData, onLowTraffic: c.onLowTraffic, basis: c.basis })),
      terraform,
      skipped,
      findings: p.findings,
    };
  }

  /** The workspace the environment's applies run in: which stacks it has is what the environment runs. */
  private liveWorkspace(): Workspace {
    return new Workspace(this.o.stateDir, this.env, 'apply');
  }

  /**
   * Stack → config of what the KB says the environment runs: the last succeeded release and the one
   * in progress (newer, wins), from their saved artifacts. The live workspace is not kept between CI
   * runs (the artifacts are), so without this a stack only the newer release added would never be
   * destroyed by a later apply or rollback. Remote backends only: their state is in the backend, so
   * the artifact's config is all a destroy needs; a local backend's state sits beside the workspace
   * in the state dir, and there the workspace stays the only source, as before.
   */
  private recordedStacks(kb: KbView): Record<string, string> {
    if (this.env.backend.type === 'local') return {};
    const stacks: Record<string, string> = {};
    for (const d of [lastSucceeded(kb, this.env.name), inProgress(kb, this.env.name)]) {
      if (d && this.store.has(this.env.name, d.release_id)) Object.assign(stacks, this.store.load(this.env.name, d.release_id).rendered.stacks);
    }
    return stacks;
  }

  /** Plans `tasks` (stackTasks over the live workspace) in the plan workspace, against the live state. */
  private async speculativePlan(tf: Terraform, tasks: readonly StackTask[], skipped: string[]): Promise<PlanReport['terraform']> {
    const ws = new Workspace(this.o.stateDir, this.env, 'plan');
    // A stack the release drops may be the only one that talks to the cluster: its destroy needs it too.
    const cluster = needsCluster(tasks.map((t) => t.json));
    const missingBackend = stateBackendContexts(tasks.map((t) => t.json)).find((context) => !kubeContextAvailable(context));
    if (missingBackend !== undefined) {
      const reason = `no kubeconfig context "${missingBackend}": terraform init/plan skipped (the kubernetes state backend keeps the state in the cluster)`;
      skipped.push(reason);
      return { ran: false, skipped: reason, stacks: [] };
    }
    try {
      if (cluster) {
        // init first: offline, the provider download is what fails, and that is the reason to report.
        for (const { stack, json } of tasks) {
          this.o.progress.step(`terraform init ${stack}`);
          await tf.init(ws.prepare(stack, json));
          this.o.progress.done();
        }
        const context = primaryContext(this.env);
        if (!kubeContextAvailable(context)) {
          const reason = `no kubeconfig context "${context}": terraform plan skipped (the kubernetes provider needs the cluster)`;
          skipped.push(reason);
          return { ran: false, skipped: reason, stacks: [] };
        }
      }
      const stacks = await planStacks(tf, ws, tasks, this.o.progress);
      return { ran: true, stacks };
    } catch (error) {
      if (error instanceof ProviderUnavailableError) {
        this.o.progress.fail(error.reason);
        const reason = `terraform init/plan skipped: ${error.reason}`;
        skipped.push(reason);
        return { ran: false, skipped: reason, stacks: [] };
      }
      throw error;
    }
  }

  /**
   * Evidence paths in the KB are relative to the state dir, so the record reads the same from any
   * directory and on any machine with the state dir (records before this were relative to the cwd).
   */
  private rel(file: string): string {
    const r = path.relative(this.o.stateDir, file);
    return r.startsWith('..') || path.isAbsolute(r) ? file : r;
  }

  /** Where a record's evidence is: under the state dir, or (older records) under the cwd; undefined if neither has it. */
  private evidenceFileOf(ref: string): string | undefined {
    const candidates = path.isAbsolute(ref) ? [ref] : [path.resolve(this.o.stateDir, ref), path.resolve(ref)];
    return candidates.find((f) => fs.existsSync(f));
  }

  async apply(options: ApplyOptions): Promise<DeployReport> {
    const kb = this.readKb();
    const interrupted = inProgress(kb, this.env.name);
    if (interrupted) return this.reconcile(kb, interrupted, options);
    const p = await this.prepare(kb, options);
    if (p.findings.some((f) => f.severity === 'error')) throw new PolicyRefusal(p.findings.filter((f) => f.severity === 'error'));
    const gates = this.gates(kb, p, options, { verifyAfterLock: this.o.terraformBin !== undefined });
    const failed = gates.find((g) => g.status === 'failed');
    if (failed) {
      if (failed.name !== 'environment_lock') {
        await this.o.kb.write({ events: [{ event: 'deployment_refused', details: `${this.env.name} ${p.ref.id}: ${failed.name}: ${failed.details ?? ''}` }] });
      }
      throw new Refusal(`refused: ${failed.details ?? failed.name}`, failed.name === 'environment_lock' ? 3 : 1);
    }
    const tf = this.requireTerraform(p.rendered);
    const deploymentId = newDeploymentId(this.env.name, this.now());
    let lock: EnvLock;
    try {
      lock = EnvLock.acquire(this.o.stateDir, this.env.name, { owner: this.o.actor, deploymentId, ...(this.o.leaseMs !== undefined ? { leaseMs: this.o.leaseMs } : {}) });
    } catch (error) {
      if (error instanceof EnvLockedError) throw new Refusal(`refused: ${error.message}`, 3);
      throw error;
    }
    const stopHeartbeat = lock.heartbeat((e) => this.o.progress.fail(e.message));
    try {
      clearAbort(this.o.stateDir, this.env.name);
      if (lock.tookOverFrom) this.o.progress.info(`took over the lock of ${lock.tookOverFrom.holder.owner}: ${lock.tookOverFrom.reason}`);
      const target = gates.find((g) => g.name === 'rollback_target') as ReturnType<typeof rollbackTargetGate>;
      const approval = gates.find((g) => g.name === 'approval') as ApprovalGate;
      const changesDigest = approval.verifyPlanHash ? await this.verifyApprovedChanges(tf, p, approval, gates) : undefined;
      const task = gates.find((g) => g.name === 'task') as ReturnType<typeof taskGate>;
      const evidenceFile = this.store.evidencePath(this.env.name, p.ref.id, deploymentId);
      const changed = p.diff.filter((d) => d.change !== 'unchanged');
      const planSummary = `${p.ref.id}: ${Object.keys(p.rendered.stacks).length} stacks; ${changed.length === 0 ? 'no image changes' : changed.map((d) => `${d.service} ${d.change}${d.to ? ` → ${d.to}` : ''}`).join(', ')}`;
      const at = this.now().toISOString();
      await this.recordStart({
        record: {
          id: deploymentId,
          environment: this.env.name,
          release_id: p.ref.id,
          deployed_by: this.o.actor,
          commit: p.rendered.release.commit,
          task_id: task.taskId,
          plan_summary: planSummary,
          gates: gates.map((g) => ({ name: g.name, status: g.status, details: g.details ?? null, at })),
          approval_id: approval.approval?.id,
          rollback_ref: target.target?.releaseId,
          evidence_ref: this.rel(evidenceFile),
        },
        extra: { [LOCK_KEY]: recordLock(lock), release_hash: p.ref.releaseHash, plan_hash: p.ref.planHash, ...(changesDigest ? { changes_digest: changesDigest, approved_plan_hash: approval.verifyPlanHash } : {}), release_created_by: p.rendered.release.createdBy, analysis_mode: options.analysis ?? 'enforce' },
        ...(task.taskId ? { task: { id: task.taskId, progress: 10, note: `deploying ${p.ref.id} to ${this.env.name} (${deploymentId})` } } : {}),
      });
      return await this.run(tf, lock, {
        deploymentId,
        prepared: p,
        target: target.target?.releaseId,
        taskId: task.taskId,
        mode: options.analysis ?? 'enforce',
        evidence: new EvidenceLog(evidenceFile),
        planSummary,
      });
    } finally {
      stopHeartbeat();
      lock.release();
    }
  }

  /**
   * Under the lock, so the state cannot move between check and apply by another deploy: Terraform
   * plans every stack again (destroys of stacks the release drops included, from the live workspace
   * the apply will use) and the approval's plan hash must equal the files bound to those changes.
   * Returns the changes digest; refuses (and records why) when the live state changed the plan.
   */
  private async verifyApprovedChanges(tf: Terraform, p: Prepared, approval: ApprovalGate, gates: Gate[]): Promise<string> {
    const approved = approval.verifyPlanHash as string;
    this.o.progress.step(`checking that Terraform still plans what approval ${approval.approval?.id} covers`);
    const outcomes = await planStacks(tf, new Workspace(this.o.stateDir, this.env, 'plan'), stackTasks(this.liveWorkspace(), p.rendered, this.recordedStacks(this.readKb())), this.o.progress);
    const digest = releaseChangesDigest(outcomes);
    const now = boundPlanHash(p.ref.planHash, digest);
    if (now !== approved) {
      const details = `approval ${approval.approval?.id} is void: the plan changed since it was given. Its plan hash ${approved.slice(0, 12)} is neither the rendered files' (${p.ref.planHash.slice(0, 12)}) nor theirs bound to the changes Terraform now plans against the live state (${now.slice(0, 12)}, changes digest ${digest.slice(0, 12)}); the live state or the configuration moved. ${this.env.approver} must approve plan hash ${now.slice(0, 12)} (\`cios-deploy plan\` shows it)`;
      await this.o.kb.write({ events: [{ event: 'deployment_refused', details: `${this.env.name} ${p.ref.id}: approval: ${details}` }] });
      throw new Refusal(`refused: ${details}`, 1);
    }
    const i = gates.findIndex((g) => g.name === 'approval');
    gates[i] = { ...approval, details: `approval ${approval.approval?.id} by ${approval.approval?.approved_by} for release ${p.ref.id}, bound to the rendered files and Terraform's planned changes (digest ${digest.slice(0, 12)}, checked under the lock)` };
    this.o.progress.done(`the planned changes match approval ${approval.approval?.id}`);
    return digest;
  }

  private requireTerraform(rendered: RenderedRelease): Terraform {
    const tf = this.terraform();
    if (!tf) throw new Refusal('refused: terraform not found on PATH (or --terraform-bin); apply needs it', 1);
    // Over what the apply will do, destroys included: a dropped stack may be the only one that talks to the cluster.
    const tasks = stackTasks(this.liveWorkspace(), rendered, this.recordedStacks(this.readKb()));
    if (needsCluster(tasks.map((t) => t.json)) && !kubeContextAvailable(primaryContext(this.env))) {
      throw new Refusal(`refused: no kubeconfig context "${primaryContext(this.env)}" for ${this.env.name}; apply needs the cluster`, 1);
    }
    return tf;
  }

  private abortReason(): string | undefined {
    const a = readAbort(this.o.stateDir, this.env.name);
    return a ? `aborted by ${a.by}: ${a.reason}` : undefined;
  }

  private async sleepUnlessAborted(ms: number, lock: EnvLock): Promise<string | undefined> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const reason = this.abortReason() ?? signalled;
      if (reason) return reason;
      await new Promise((r) => setTimeout(r, Math.min(200, end - Date.now())));
    }
    lock.renew();
    return this.abortReason() ?? signalled;
  }

  private async run(...args: Parameters<Deployer['runUnguarded']>): Promise<DeployReport> {
    activeDeploys++;
    try {
      return await this.runUnguarded(...args);
    } finally {
      activeDeploys--;
    }
  }

  private async runUnguarded(
    tf: Terraform,
    lock: EnvLock,
    r: { deploymentId: string; prepared: Prepared; target: string | undefined; taskId: string | undefined; mode: AnalysisMode; evidence: EvidenceLog; planSummary: string },
  ): Promise<DeployReport> {
    const timings: Record<string, number> = {};
    const { prepared: p, evidence, deploymentId } = r;
    const event = (e: string, details?: string): void => evidence.append({ type: 'event', deployment: deploymentId, event: e, ...(details ? { details: this.o.redactor.redact(details) } : {}), at: this.now().toISOString() });
    const ws = this.liveWorkspace();
    let t0 = Date.now();
    event('apply_started', `release ${p.ref.id}`);
    let outcomes: StackOutcome[];
    try {
      outcomes = await applyStacks(tf, ws, p.rendered, this.o.progress, this.recordedStacks(this.readKb()));
      timings['apply'] = Date.now() - t0;
      this.store.markApplied(this.env.name, p.ref.id, this.now().toISOString());
      event('apply_succeeded', outcomes.map((o) => `${o.stack}: ${formatPlanSummary(o.summary)}`).join('; '));
    } catch (error) {
      timings['apply'] = Date.now() - t0;
      const reason = `apply failed: ${this.o.redactor.redact(error instanceof StackFailedError ? error.message : String(error))}`;
      event('apply_failed', reason);
      return this.undo(tf, ws, lock, r, reason, [], timings, 'rolled_back');
    }
    const services = this.changedServices(p);
    const checks = checksFor(this.env, services, this.o.checkOverrides);
    const source = this.metrics();
    this.o.progress.step(`watching ${services.map((s) => s.name).join(', ')} for ${this.env.analysis.bakeSeconds}s (every ${this.env.analysis.intervalSeconds}s, ${r.mode}) against ${source.description}`);
    t0 = Date.now();
    const outcome = await runAnalysis({
      deploymentId,
      checks,
      policy: this.env.analysis,
      source,
      evidence,
      mode: r.mode,
      now: this.now,
      sleep: (ms) => this.sleepUnlessAborted(ms, lock),
      onRound: (round, verdict, failing) =>
        this.o.progress.info(`round ${round}: ${verdict}${failing.length ? ` (${failing.map((f) => `${f.check}: ${f.reason}`).join('; ')})` : ''}`),
    });
    timings['analysis'] = Date.now() - t0;
    const analysis = {
      verdict: outcome.verdict,
      state: outcome.state,
      ...(outcome.firstFailureAt ? { firstFailureAt: outcome.firstFailureAt } : {}),
      ...(outcome.decidedAt ? { decidedAt: outcome.decidedAt } : {}),
      ...(outcome.unreachable ? { unreachable: outcome.unreachable } : {}),
    };
    if (outcome.aborted) {
      event('aborted', outcome.aborted);
      return this.undo(tf, ws, lock, r, outcome.aborted, [], timings, 'aborted', analysis);
    }
    if (outcome.rollback) {
      const reason = `analysis failed: ${[...(outcome.unreachable ? [outcome.unreachable] : []), ...outcome.failing.map((f) => `${f.check} ${f.reason}`)].join('; ')}`;
      event('analysis_failed', reason);
      return this.undo(tf, ws, lock, r, reason, outcome.failing, timings, 'rolled_back', analysis);
    }
    this.o.progress.done(`analysis ${outcome.verdict}${r.mode === 'shadow' ? ' (shadow: verdicts recorded, not acted on)' : ''}`);
    event('succeeded', `analysis ${outcome.verdict}`);
    const note =
      outcome.verdict === 'inconclusive'
        ? 'analysis inconclusive: too little traffic or data to judge; not rolled back'
        : r.mode === 'shadow' && outcome.verdict === 'fail'
          ? `analysis failed in shadow mode: recorded, not acted on${outcome.unreachable ? ` (${outcome.unreachable})` : ''}`
          : `analysis ${outcome.verdict}`;
    await this.o.kb.write({
      patch: { id: deploymentId, fields: { status: 'succeeded', timings, notes: note } },
      extra: { analysis },
      infraChange: {
        what: `deployed release ${p.ref.id} to ${this.env.name}: ${r.planSummary}`,
        why: `deployment ${deploymentId}${r.taskId ? ` for task ${r.taskId}` : ''}`,
        stacks: Object.keys(p.rendered.stacks),
        task_id: r.taskId,
        commit: p.rendered.release.commit,
      },
      ...(r.taskId ? { task: { id: r.taskId, progress: 100, note: `deployed ${p.ref.id} to ${this.env.name}: ${note}`, complete: true } } : {}),
    });
    this.prune(p.ref.id, r.target);
    return { deploymentId, environment: this.env.name, releaseId: p.ref.id, status: 'succeeded', ...(note ? { reason: note } : {}), analysis, evidenceFile: evidence.file, timings };
  }

  /** Roll back to the target (if any) and record why, with the evidence that decided it. */
  private async undo(
    tf: Terraform,
    ws: Workspace,
    lock: EnvLock,
    r: UndoSubject,
    reason: string,
    failing: readonly EvidenceRecord[],
    timings: Record<string, number>,
    status: RollbackPhase['outcome'],
    analysis?: DeployReport['analysis'],
  ): Promise<DeployReport> {
    const evidenceSummary = failing.map((f) => ({ check: f.check, query: f.query, window: f.window, value: f.value, threshold: f.threshold, comparator: f.comparator, basis: f.basis, verdict: f.verdict, at: f.at }));
    const extra = { evidence: evidenceSummary, ...(analysis ? { analysis } : {}) };
    if (!r.target) return this.recordNothingToRollBackTo(r, reason, status, timings, extra, analysis);
    const phase: RollbackPhase = { to: r.target, reason, outcome: status, by: this.o.actor, at: this.now().toISOString() };
    await this.recordRollbackStarted(r, phase, extra);
    return this.finishRollback(tf, ws, lock, r, phase, timings, analysis);
  }

  /** A first deploy that failed: nothing earlier to return to, so the record says failed (or aborted). */
  private async recordNothingToRollBackTo(
    r: UndoSubject,
    reason: string,
    status: RollbackPhase['outcome'],
    timings: Record<string, number>,
    extra: Readonly<Record<string, unknown>>,
    analysis: DeployReport['analysis'] | undefined,
  ): Promise<DeployReport> {
    const final = status === 'aborted' ? 'aborted' : 'failed';
    this.o.progress.fail(`${reason}; no earlier release to roll back to (first deploy)`);
    await this.o.kb.write({
      patch: { id: r.deploymentId, fields: { status: final, timings, notes: `${reason}; first deploy: nothing to roll back to` } },
      extra,
      ...(r.taskId ? { task: { id: r.taskId, progress: 50, note: `deploy ${r.deploymentId} failed: ${reason}` } } : {}),
    });
    return { deploymentId: r.deploymentId, environment: this.env.name, releaseId: r.prepared.ref.id, status: final, reason, ...(analysis ? { analysis } : {}), evidenceFile: r.evidence.file, timings };
  }

  /**
   * Written before the rollback's first Terraform command: a deployer killed during the rollback
   * leaves a record whose next run finishes this rollback instead of resuming the bad release.
   */
  private async recordRollbackStarted(r: UndoSubject, phase: RollbackPhase, extra: Readonly<Record<string, unknown>>): Promise<void> {
    r.evidence.append({ type: 'event', deployment: r.deploymentId, event: 'rollback_started', details: `to ${phase.to}: ${phase.reason}`, at: phase.at });
    await this.o.kb.write({ patch: { id: r.deploymentId, fields: {} }, extra: { ...extra, [ROLLBACK_PHASE_KEY]: phase } });
  }

  /** Applies the rollback target's artifact and records the outcome the phase names, with its reason. */
  private async finishRollback(
    tf: Terraform,
    ws: Workspace,
    lock: EnvLock,
    r: UndoSubject,
    phase: RollbackPhase,
    timings: Record<string, number>,
    analysis?: DeployReport['analysis'],
    finishedAfter?: string,
  ): Promise<DeployReport> {
    const { deploymentId, prepared: p, evidence } = r;
    const reason = phase.reason;
    this.o.progress.step(`rolling back ${this.env.name} to ${phase.to}: ${reason}`);
    const t0 = Date.now();
    lock.renew();
    const { rendered } = this.store.load(this.env.name, phase.to);
    try {
      await applyStacks(tf, ws, rendered, this.o.progress, this.recordedStacks(this.readKb()));
    } catch (error) {
      timings['rollback'] = Date.now() - t0;
      const why = `${reason}; ROLLBACK FAILED: ${this.o.redactor.redact((error as Error).message)}`;
      evidence.append({ type: 'event', deployment: deploymentId, event: 'rollback_failed', details: why, at: this.now().toISOString() });
      await this.o.kb.write({
        patch: { id: deploymentId, fields: { status: 'failed', timings, notes: why } },
        events: [{ event: 'rollback_failed', details: `${deploymentId} (${this.env.name}): ${why}`, deployment_id: deploymentId }],
      });
      throw new Refusal(`deploy ${deploymentId} failed and its rollback to ${phase.to} failed too: ${why}; the environment needs a person`, 1);
    }
    timings['rollback'] = Date.now() - t0;
    this.store.markApplied(this.env.name, phase.to, this.now().toISOString());
    evidence.append({ type: 'event', deployment: deploymentId, event: 'rolled_back', details: `to ${phase.to}: ${reason}`, at: this.now().toISOString() });
    const resumed = finishedAfter ? ` (rollback started by ${phase.by} at ${phase.at}, finished by ${this.o.actor}: ${finishedAfter})` : '';
    await this.o.kb.write({
      patch: { id: deploymentId, fields: { status: phase.outcome, timings, notes: `${reason}; rolled back to ${phase.to}${resumed}`, rollback_ref: phase.to } },
      ...(analysis ? { extra: { analysis } } : {}),
      infraChange: {
        what: `rolled ${this.env.name} back from ${p.ref.id} to ${phase.to}`,
        why: `${deploymentId}: ${reason}`,
        stacks: Object.keys(rendered.stacks),
        task_id: r.taskId,
        commit: rendered.release.commit,
      },
      ...(r.taskId ? { task: { id: r.taskId, progress: 50, note: `deploy ${deploymentId} rolled back: ${reason}` } } : {}),
    });
    const recordedAt = this.now().toISOString();
    this.o.progress.done(`rolled back ${this.env.name} to ${phase.to}`);
    this.prune(p.ref.id, phase.to);
    return {
      deploymentId,
      environment: this.env.name,
      releaseId: p.ref.id,
      status: phase.outcome,
      reason,
      ...(analysis ? { analysis } : {}),
      rolledBackTo: phase.to,
      evidenceFile: evidence.file,
      rollbackRecordedAt: recordedAt,
      timings,
    };
  }

  private prune(current: string, target: string | undefined): void {
    const kb = this.readKb();
    const pinned = new Set([
      current,
      ...(target ? [target] : []),
      ...[lastSucceeded(kb, this.env.name)?.release_id, lastHealthy(kb, this.env.name)?.release_id, inProgress(kb, this.env.name)?.release_id].filter((x): x is string => !!x),
    ]);
    const removed = this.store.prune(this.env.name, this.o.keepReleases ?? 10, pinned);
    if (removed.length > 0) this.o.progress.info(`retention: removed ${removed.length} old release artifact(s)`);
  }

  /**
   * A deploy left `in_progress`: if its holder lives, refuse (exit 3) naming it; if it died, say so
   * and reconcile: a rollback it had started is finished (never the bad release resumed); otherwise
   * resume it (re-apply the same artifact, then watch) or, with --rollback, roll it back.
   */
  private async reconcile(kb: KbView, d: KbDeployment, options: ApplyOptions): Promise<DeployReport> {
    const holder = EnvLock.read(this.o.stateDir, this.env.name);
    const stale = holder ? staleReason(holder, this.now()) : 'no lock is held';
    if (holder && !stale) {
      throw new Refusal(`refused: deployment ${d.id} of release ${d.release_id} is in progress in ${this.env.name}; ${new EnvLockedError(holder).message}`, 3);
    }
    if (!holder) this.refuseIfHeldElsewhere(d);
    await this.refuseAnotherRelease(kb, d, options);
    const phase = rollbackPhaseOf(d);
    const how = phase
      ? `finishing its rollback to ${phase.to} (${phase.reason})`
      : options.abortReason !== undefined
        ? `aborting it: ${options.abortReason}`
        : options.rollbackInterrupted
          ? 'rolling it back'
          : 'resuming it';
    this.o.progress.info(`found deployment ${d.id} (release ${d.release_id}) still in progress in ${this.env.name} and its deployer gone (${stale}); ${how}`);
    if (!this.store.has(this.env.name, d.release_id)) throw new Refusal(`deployment ${d.id}: its release artifact ${d.release_id} is missing; cannot resume`, 1);
    if (phase && !this.store.has(this.env.name, phase.to)) throw new Refusal(`deployment ${d.id} was rolling back to ${phase.to}, whose artifact is missing; the environment needs a person`, 1);
    const { rendered, ref } = this.store.load(this.env.name, d.release_id);
    const tf = this.requireTerraform(rendered);
    let lock: EnvLock;
    try {
      lock = EnvLock.acquire(this.o.stateDir, this.env.name, { owner: this.o.actor, deploymentId: d.id, ...(this.o.leaseMs !== undefined ? { leaseMs: this.o.leaseMs } : {}) });
    } catch (error) {
      if (error instanceof EnvLockedError) throw new Refusal(`refused: ${error.message}`, 3);
      throw error;
    }
    const stopHeartbeat = lock.heartbeat((e) => this.o.progress.fail(e.message));
    try {
      const target = phase?.to ?? d.rollback_ref ?? undefined;
      const previousRelease = target && this.store.has(this.env.name, target) ? this.store.load(this.env.name, target).rendered.release : undefined;
      const prepared: Prepared = { rendered, ref, findings: [], previous: lastSucceeded(kb, this.env.name), previousRelease, diff: this.diff(previousRelease?.images, rendered.release.images), notes: [] };
      const evidence = new EvidenceLog(this.store.evidencePath(this.env.name, ref.id, d.id));
      evidence.append({ type: 'event', deployment: d.id, event: 'reconcile', details: `deployer gone (${stale}); ${how}`, at: this.now().toISOString() });
      await this.o.kb.write({
        patch: { id: d.id, fields: {} },
        extra: { [LOCK_KEY]: recordLock(lock), [LOCK_RELEASED_KEY]: null },
        events: [{ event: 'deployment_reconcile', details: `${d.id} in ${this.env.name} was left in progress (${stale}); ${how} by ${this.o.actor}`, deployment_id: d.id }],
      });
      const r = { deploymentId: d.id, prepared, target, taskId: d.task_id ?? undefined, mode: (options.analysis ?? 'enforce') as AnalysisMode, evidence, planSummary: d.plan_summary ?? ref.id };
      const ws = this.liveWorkspace();
      if (phase) {
        const report = await this.finishRollback(tf, ws, lock, r, phase, {}, undefined, `its deployer was gone, ${stale}`);
        return options.rollbackInterrupted ? { ...report, rollbackRequested: true } : report;
      }
      if (options.abortReason !== undefined) {
        return await this.undo(tf, ws, lock, r, `aborted by ${this.o.actor}: ${options.abortReason} (its deployer was gone: ${stale})`, [], {}, 'aborted');
      }
      if (options.rollbackInterrupted) {
        const report = await this.undo(tf, ws, lock, r, `interrupted deploy rolled back by ${this.o.actor} (${stale})`, [], {}, 'rolled_back');
        return { ...report, rollbackRequested: true };
      }
      return await this.run(tf, lock, r);
    } finally {
      stopHeartbeat();
      lock.release();
    }
  }

  /**
   * Records a deploy or rollback as started. The environment lock is per machine; the KB may be
   * shared: if another machine recorded a deploy of this environment since this run read the KB, the
   * KB refuses the record (nothing written) and so does this run, naming that deploy and its host.
   */
  private async recordStart(w: DeploymentWrite): Promise<void> {
    try {
      await this.o.kb.write(w);
    } catch (error) {
      if (!(error instanceof EnvironmentBusyError)) throw error;
      const d = error.running;
      const where = recordedLockOf(d);
      const on = where ? ` on host ${where.host} (${where.owner}, pid ${where.pid}, lease until ${where.lease_expires_at})` : ` (${d.deployed_by})`;
      throw new Refusal(`refused: deployment ${d.id} of release ${d.release_id} started in ${this.env.name}${on} while this run was preparing; nothing was recorded or applied`, 3);
    }
  }

  /**
   * Reconciling finishes the interrupted deploy, not what this run asked for: a `--release`, `--set`
   * or `--task` naming something else is refused rather than silently ignored. A request that renders
   * to the interrupted release (same id) and names its task, or none, may reconcile it.
   */
  private async refuseAnotherRelease(kb: KbView, d: KbDeployment, options: ApplyOptions): Promise<void> {
    const asked: string[] = [];
    if (options.file !== undefined || (options.sets?.length ?? 0) > 0) {
      const p = await this.prepare(kb, options);
      if (p.ref.id !== d.release_id) asked.push(`release ${p.ref.id}`);
    }
    if (options.taskId !== undefined && options.taskId !== d.task_id) asked.push(`task ${options.taskId}`);
    if (asked.length === 0) return;
    throw new Refusal(
      `refused: deployment ${d.id} of release ${d.release_id}${d.task_id ? ` (task ${d.task_id})` : ''} was interrupted in ${this.env.name} and must be reconciled first; this run asks for ${asked.join(' and ')}. ` +
        `Run \`cios-deploy apply --env ${this.env.name}\` with no release or task to resume it (or add --rollback to roll it back), then deploy again`,
      3,
    );
  }

  /**
   * The lock file is per machine: with none here, the KB's copy of the lock says whether the deploy
   * ran on another host, whose process this machine cannot check. Only a person (`unlock --force`) may vouch it is gone.
   */
  private refuseIfHeldElsewhere(d: KbDeployment): void {
    const recorded = recordedLockOf(d);
    if (!recorded || recorded.host === os.hostname() || lockReleasedOf(d)) return;
    throw new Refusal(
      `refused: deployment ${d.id} of release ${d.release_id} in ${this.env.name} is in progress on host ${recorded.host} (${recorded.owner}, pid ${recorded.pid}, lock taken ${recorded.acquired_at}, lease until ${recorded.lease_expires_at}); ` +
        `this machine holds no lock for it and cannot tell whether that deployer still runs. Run the next apply on ${recorded.host}, or once you know it is gone, \`cios-deploy unlock --env ${this.env.name} --force --reason …\` here records that and lets this machine reconcile`,
      3,
    );
  }

  /** `rollback [--to RELEASE]`: restore an earlier release's whole config; extras it did not have are destroyed. */
  async rollback(to: string | undefined, reason: string): Promise<DeployReport> {
    const kb = this.readKb();
    const running = inProgress(kb, this.env.name);
    if (running) throw new Refusal(`refused: deployment ${running.id} is in progress in ${this.env.name}; use \`cios-deploy abort --env ${this.env.name}\``, 3);
    const current = lastSucceeded(kb, this.env.name);
    let targetId = to;
    if (!targetId) {
      const earlier = (kb.deployments ?? []).filter((x) => x.environment === this.env.name && stayedHealthy(x) && x.id !== current?.id && x.release_id !== current?.release_id).at(-1);
      if (!earlier) throw new Refusal(`refused: no earlier release in ${this.env.name} that succeeded and stayed healthy to roll back to; name one with --to`, 1);
      targetId = earlier.release_id;
    }
    if (!this.store.has(this.env.name, targetId)) {
      throw new Refusal(`refused: release ${targetId} has no saved artifact in ${this.store.envDir(this.env.name)} (known: ${this.store.list(this.env.name).join(', ') || 'none'})`, 1);
    }
    const { rendered, ref } = this.store.load(this.env.name, targetId);
    const tf = this.requireTerraform(rendered);
    const deploymentId = newDeploymentId(this.env.name, this.now());
    let lock: EnvLock;
    try {
      lock = EnvLock.acquire(this.o.stateDir, this.env.name, { owner: this.o.actor, deploymentId, ...(this.o.leaseMs !== undefined ? { leaseMs: this.o.leaseMs } : {}) });
    } catch (error) {
      if (error instanceof EnvLockedError) throw new Refusal(`refused: ${error.message}`, 3);
      throw error;
    }
    const evidence = new EvidenceLog(this.store.evidencePath(this.env.name, ref.id, deploymentId));
    const stopHeartbeat = lock.heartbeat((e) => this.o.progress.fail(e.message));
    try {
      await this.recordStart({
        record: {
          id: deploymentId,
          environment: this.env.name,
          release_id: ref.id,
          deployed_by: this.o.actor,
          commit: rendered.release.commit,
          plan_summary: `rollback of ${this.env.name} from ${current?.release_id ?? '(nothing)'} to ${ref.id}: ${reason}`,
          rollback_ref: current?.release_id,
          evidence_ref: this.rel(evidence.file),
        },
        extra: { [LOCK_KEY]: recordLock(lock), kind: 'rollback', release_hash: ref.releaseHash, plan_hash: ref.planHash },
      });
      const t0 = Date.now();
      evidence.append({ type: 'event', deployment: deploymentId, event: 'rollback_started', details: `from ${current?.release_id ?? '(nothing)'} to ${ref.id}: ${reason}`, at: this.now().toISOString() });
      try {
        await applyStacks(tf, this.liveWorkspace(), rendered, this.o.progress, this.recordedStacks(this.readKb()));
      } catch (error) {
        const why = `rollback to ${ref.id} failed: ${this.o.redactor.redact((error as Error).message)}`;
        evidence.append({ type: 'event', deployment: deploymentId, event: 'rollback_failed', details: why, at: this.now().toISOString() });
        await this.o.kb.write({ patch: { id: deploymentId, fields: { status: 'failed', timings: { rollback: Date.now() - t0 }, notes: why } } });
        throw new Refusal(why, 1);
      }
      const timings = { rollback: Date.now() - t0 };
      this.store.markApplied(this.env.name, ref.id, this.now().toISOString());
      evidence.append({ type: 'event', deployment: deploymentId, event: 'succeeded', details: `now running ${ref.id}`, at: this.now().toISOString() });
      await this.o.kb.write({
        patch: { id: deploymentId, fields: { status: 'succeeded', timings, notes: `rollback: ${reason}` } },
        ...(current ? { rolledBack: { id: current.id, by: this.o.actor, note: `rolled back to ${ref.id} by ${deploymentId}: ${reason}` } } : {}),
        infraChange: { what: `rolled ${this.env.name} back to release ${ref.id}`, why: reason, stacks: Object.keys(rendered.stacks), commit: rendered.release.commit },
      });
      return { deploymentId, environment: this.env.name, releaseId: ref.id, status: 'succeeded', reason, ...(current ? { rolledBackTo: ref.id } : {}), evidenceFile: evidence.file, timings };
    } finally {
      stopHeartbeat();
      lock.release();
    }
  }

  status(): { lock: EnvLockHolder | undefined; lockStale: string | undefined; inProgress: KbDeployment | undefined; current: KbDeployment | undefined; recent: KbDeployment[] } {
    const kb = this.readKb();
    const lock = EnvLock.read(this.o.stateDir, this.env.name);
    return {
      lock,
      lockStale: lock ? staleReason(lock, this.now()) : undefined,
      inProgress: inProgress(kb, this.env.name),
      current: lastSucceeded(kb, this.env.name),
      recent: (kb.deployments ?? []).filter((d) => d.environment === this.env.name).slice(-5),
    };
  }

  /** Each deploy with its evidence; `evidenceMissing` says where it was looked for when the file is not there (pruned, another machine). */
  history(): { deployment: KbDeployment; evidence: ReturnType<typeof EvidenceLog.read>; evidenceMissing?: string }[] {
    const kb = this.readKb();
    return (kb.deployments ?? [])
      .filter((d) => d.environment === this.env.name)
      .map((d) => {
        if (!d.evidence_ref) return { deployment: d, evidence: [] };
        const file = this.evidenceFileOf(d.evidence_ref);
        if (file) return { deployment: d, evidence: EvidenceLog.read(file) };
        return { deployment: d, evidence: [], evidenceMissing: `evidence ${d.evidence_ref} not found under ${this.o.stateDir}${path.isAbsolute(d.evidence_ref) ? '' : ` or ${process.cwd()}`}` };
      });
  }

  async unlock(reason: string): Promise<EnvLockHolder | undefined> {
    const running = inProgress(this.readKb(), this.env.name);
    const removed = EnvLock.forceRemove(this.o.stateDir, this.env.name);
    await this.o.kb.write({
      ...(running ? { patch: { id: running.id, fields: {} }, extra: { [LOCK_RELEASED_KEY]: { by: this.o.actor, reason, at: this.now().toISOString(), host: os.hostname() } } } : {}),
      events: [
        {
          event: 'environment_unlock',
          details: `${this.o.actor} force-unlocked ${this.env.name}${removed ? ` (held by ${removed.owner}, deployment ${removed.deploymentId}, pid ${removed.pid} on ${removed.host})` : ' (no lock was held)'}: ${reason}`,
          environment: this.env.name,
          reason,
          ...(removed ? { previous_holder: removed.owner, deployment_id: removed.deploymentId } : {}),
        },
      ],
    });
    return removed;
  }

  /** `abort`: ask a live deployer to stop and roll back; if the deployer is gone, roll back here. */
  async abort(reason: string, waitMs = 600_000): Promise<DeployReport | KbDeployment> {
    const kb = this.readKb();
    const d = inProgress(kb, this.env.name);
    if (!d) throw new Refusal(`nothing to abort: no deployment in progress in ${this.env.name}`, 1);
    const holder = EnvLock.read(this.o.stateDir, this.env.name);
    const stale = holder ? staleReason(holder, this.now()) : 'no lock held';
    if (stale) return this.reconcile(kb, d, { abortReason: reason });
    requestAbort(this.o.stateDir, this.env.name, { by: this.o.actor, reason, at: this.now().toISOString() });
    this.o.progress.step(`asked ${holder?.owner} (pid ${holder?.pid}) to abort ${d.id}; waiting for the rollback`);
    const end = Date.now() + waitMs;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 300));
      const now = this.readKb().deployments?.find((x) => x.id === d.id);
      if (now && now.status !== 'in_progress') {
        this.o.progress.done(`${d.id} is ${now.status}`);
        clearAbort(this.o.stateDir, this.env.name);
        return now;
      }
    }
    throw new Refusal(`abort requested, but ${d.id} is still in progress after ${Math.round(waitMs / 1000)}s`, 1);
  }
}

/** Set by SIGINT/SIGTERM: the deploy stops watching and rolls back instead of dying half-way. */
let signalled: string | undefined;
let activeDeploys = 0;

/** Returns false when nothing is deploying, so the caller may simply exit. */
export function onStopSignal(signal: string): boolean {
  if (activeDeploys === 0) return false;
  signalled = `interrupted by ${signal}`;
  return true;
}

function recordLock(lock: EnvLock): RecordedLock {
  const h = lock.holder;
  return { owner: h.owner, host: h.host, pid: h.pid, acquired_at: h.acquiredAt, lease_expires_at: h.leaseExpiresAt };
}

function primaryContext(env: Environment): string {
  return primaryCluster(env).context;
}
