/** The `cios-kb` commands. */
import * as fs from 'node:fs';
import { KbError } from '../errors.js';
import { load, type LoadedKb } from '../load.js';
import { submitChange } from '../commit-queue.js';
import type { OperationInput, OperationName, OperationValue } from '../operations.js';
import {
  DEPLOYMENT_STATUSES,
  TASK_STATUSES,
  assignmentSchema,
  type DeploymentStatus,
  type GateResult,
} from '../schema.js';
import { agentViews, allTasks, blockedTasks, getTask, nextTask, pick, statusSummary, tasksFor } from '../queries.js';
import { countJunitXml, countTestReport, countVitestJson } from '../test-report.js';
import { revisionOf, type UpdateResult } from '../update.js';
import { int, list, str, usageError, type OptionSpecs, type ParsedValues } from './args.js';
import type { CommandHelp } from './help.js';
import { DEFAULT_TASK_FIELDS, boundedJson, boundedText, clip, taskLine, waitingText } from './output.js';

export interface Io {
  out(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface RunContext {
  values: ParsedValues;
  positionals: string[];
  io: Io;
  command: string;
}

export interface Command extends CommandHelp {
  /** How many positionals (IDs) the command takes. */
  positionals?: { names: string[]; min: number };
  run(ctx: RunContext): Promise<void> | void;
}

const common: OptionSpecs = {
  file: { type: 'string', arg: 'PATH', help: 'KB file (default: $CIOS_KB, else nearest .ai-knowledge-base.json upwards)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};
const readOpts: OptionSpecs = { ...common, json: { type: 'boolean', help: 'machine-readable JSON output' } };
const writeOpts: OptionSpecs = {
  ...readOpts,
  'expect-rev': { type: 'string', arg: 'N', help: 'only change the KB if its revision is still N (else exit 3)' },
  'lock-timeout': { type: 'string', arg: 'MS', help: 'give up waiting for the lock after MS milliseconds (default 10000; exit 3)' },
};
const agentOpt: OptionSpecs = { agent: { type: 'string', arg: 'NAME', help: 'acting agent (default $CIOS_AGENT)', required: true } };
const limitOpt: OptionSpecs = { limit: { type: 'string', arg: 'N', help: 'show at most N items' } };
const fieldsOpt: OptionSpecs = {
  fields: { type: 'string', arg: 'F,…', help: `task fields in --json output (default ${DEFAULT_TASK_FIELDS.join(',')}; "all" for every field)` },
};

function agentOf(ctx: RunContext, name = 'agent'): string {
  const agent = str(ctx.values, name) ?? ctx.io.env['CIOS_AGENT'];
  if (!agent || agent.trim() === '') throw usageError(`${ctx.command}: --${name} NAME is required (or set CIOS_AGENT)`);
  return agent.trim();
}

function required(ctx: RunContext, name: string): string {
  const v = str(ctx.values, name);
  if (v === undefined || v.trim() === '') throw usageError(`${ctx.command}: --${name} is required`);
  return v;
}

function readKb(ctx: RunContext): LoadedKb {
  return load({ file: str(ctx.values, 'file'), cwd: ctx.io.cwd, env: ctx.io.env });
}

/** Make a named change, queued with other processes' changes (group commit). */
function submit<K extends OperationName>(ctx: RunContext, op: K, input: OperationInput<K>, agent?: string): Promise<UpdateResult<OperationValue<K>>> {
  return submitChange(op, input, {
    file: str(ctx.values, 'file'),
    cwd: ctx.io.cwd,
    env: ctx.io.env,
    agent,
    expectRevision: int(ctx.values, 'expect-rev', ctx.command, { min: 0, max: Number.MAX_SAFE_INTEGER }),
    timeoutMs: int(ctx.values, 'lock-timeout', ctx.command, { min: 0, max: 3_600_000 }),
  });
}

type TaskOperation = 'claim' | 'start' | 'progress' | 'complete' | 'block' | 'unblock';

/**
 * A change to one task (ID positional) made by one agent (`--agent`/CIOS_AGENT).
 * A change that reports `already` (claiming what one already holds, starting a started task) writes nothing.
 */
async function taskChange<K extends TaskOperation>(
  ctx: RunContext,
  op: K,
  extra: Omit<OperationInput<K>, 'id' | 'agent'>,
): Promise<{ id: string; agent: string; result: UpdateResult<OperationValue<K>> }> {
  const task = { id: ctx.positionals[0] as string, agent: agentOf(ctx) };
  const result = await submit(ctx, op, { ...extra, ...task } as OperationInput<K>, task.agent);
  return { ...task, result };
}

function emit(ctx: RunContext, json: Record<string, unknown>, text: string | readonly string[]): void {
  if (ctx.values['json']) ctx.io.out(boundedJson(json));
  else ctx.io.out(typeof text === 'string' ? text : boundedText(text));
}

/** `--fields`: the default set, 'all', or names a task has (the schema's or any of `tasks`'); else a usage error. */
function fieldsOf(ctx: RunContext, tasks: readonly Record<string, unknown>[]): string[] | 'all' {
  const f = list(ctx.values, 'fields');
  if (!f || f.length === 0) return DEFAULT_TASK_FIELDS;
  if (f.includes('all')) return 'all';
  const known = new Set([...Object.keys(assignmentSchema.shape), ...tasks.flatMap((t) => Object.keys(t))]);
  const unknown = f.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw usageError(`${ctx.command}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in --fields; tasks have ${[...known].sort().join(', ')}`);
  }
  return f;
}

function project(task: Record<string, unknown>, fields: string[] | 'all'): Record<string, unknown> {
  return fields === 'all' ? task : pick(task, fields);
}

function done(ctx: RunContext, result: UpdateResult<unknown>, message: string, extra: Record<string, unknown> = {}): void {
  emit(ctx, { ok: true, file: result.file, revision: result.revision, written: result.written, ...extra }, `${message} (revision ${result.revision})`);
}

const statusList = TASK_STATUSES.join(', ');

export const commands: Command[] = [
  {
    name: 'validate',
    summary: 'check the KB: JSON syntax, schema and integrity (ids, dependencies, cycles)',
    usage: 'validate [--file PATH] [--json]',
    options: readOpts,
    run(ctx) {
      const { file, kb } = readKb(ctx);
      const tasks = allTasks(kb).length;
      emit(ctx, { ok: true, file, revision: revisionOf(kb), tasks }, `OK: ${file} is valid (revision ${revisionOf(kb)}, ${tasks} tasks)`);
    },
  },
  {
    name: 'status',
    summary: 'at a glance: in progress, ready, blocked (and on what), recently done',
    usage: 'status [--limit N] [--json]',
    options: { ...readOpts, ...limitOpt },
    run(ctx) {
      const { kb, file } = readKb(ctx);
      const limit = int(ctx.values, 'limit', ctx.command, { min: 1, max: 100_000 }) ?? 10;
      const s = statusSummary(kb);
      const short = (t: Record<string, unknown>) => pick(t, ['id', 'task', 'assigned_to', 'priority', 'status', 'progress', 'claimed_by']);
      const json = {
        file,
        revision: s.revision,
        counts: s.counts,
        in_progress: s.in_progress.slice(0, limit).map(short),
        ready: s.ready.slice(0, limit).map(short),
        blocked: s.blocked.slice(0, limit).map((b) => ({ ...short(b.task), reason: b.reason, waits_on: b.waits_on })),
        recently_done: s.recently_done.slice(0, Math.min(limit, 5)).map((t) => pick(t, ['id', 'task', 'assigned_to', 'completed_at', 'result'])),
      };
      const more = (n: number) => (n > limit ? [`  … ${n - limit} more`] : []);
      const section = (title: string, n: number, rows: string[]) => [`${title} (${n})`, ...(rows.length ? rows : ['  none']), ...more(n)];
      const counts = Object.entries(s.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      emit(ctx, json, [
        `${file} — revision ${s.revision}; tasks: ${counts || 'none'}`,
        '',
        ...section('In progress', s.in_progress.length, s.in_progress.slice(0, limit).map((t) => `  ${taskLine(t)}`)),
        '',
        ...section('Ready', s.ready.length, s.ready.slice(0, limit).map((t) => `  ${taskLine(t)}`)),
        '',
        ...section(
          'Blocked',
          s.blocked.length,
          s.blocked.slice(0, limit).map((b) => `  ${taskLine(b.task)}\n      waiting for: ${waitingText(b)}`),
        ),
        '',
        ...section(
          'Recently done',
          s.recently_done.length,
          s.recently_done.slice(0, Math.min(limit, 5)).map((t) => `  ${t.id.padEnd(11)} ${t.completed_at ?? ''}  ${clip(t.assigned_to, 30)} — ${clip(t.task, 80)}`),
        ).slice(0, Math.min(limit, 5) + 1),
      ]);
    },
  },
  {
    name: 'tasks',
    summary: 'list tasks, optionally for one agent and/or by status',
    usage: 'tasks [--agent NAME] [--status S[,S…]] [--limit N] [--fields F,…|all] [--json]',
    options: {
      ...readOpts,
      agent: { type: 'string', arg: 'NAME', help: 'only tasks naming this agent among the assignees' },
      status: { type: 'string', multiple: true, arg: 'STATUS', help: `only these statuses (${statusList})` },
      ...limitOpt,
      ...fieldsOpt,
    },
    run(ctx) {
      const { kb } = readKb(ctx);
      const status = list(ctx.values, 'status');
      for (const s of status ?? []) if (!(TASK_STATUSES as readonly string[]).includes(s)) throw usageError(`tasks: unknown status "${s}"; expected one of ${statusList}`);
      const tasks = tasksFor(kb, { agent: str(ctx.values, 'agent'), status });
      const limit = int(ctx.values, 'limit', ctx.command, { min: 1, max: 1_000_000 }) ?? 50;
      const shown = tasks.slice(0, limit);
      const fields = fieldsOf(ctx, allTasks(kb));
      emit(ctx, { total: tasks.length, shown: shown.length, items: shown.map((t) => project(t, fields)) }, [
        ...shown.map(taskLine),
        tasks.length > shown.length ? `… ${tasks.length - shown.length} more (use --limit, --status or --agent)` : `${tasks.length} task(s)`,
      ]);
    },
  },
  {
    name: 'show',
    summary: 'one task by id, with its dependencies',
    usage: 'show ID [--fields F,…] [--json]',
    positionals: { names: ['ID'], min: 1 },
    options: { ...readOpts, fields: { type: 'string', arg: 'F,…', help: 'only these fields' } },
    run(ctx) {
      const { kb, file } = readKb(ctx);
      const task = getTask(kb, ctx.positionals[0] as string, file);
      const given = list(ctx.values, 'fields');
      const fields = fieldsOf(ctx, [task]);
      const shown = !given || given.length === 0 || fields === 'all' ? task : pick(task, fields);
      const lines = Object.entries(shown).map(([k, v]) => `${k}: ${typeof v === 'string' ? clip(v, 2000) : JSON.stringify(v)}`);
      emit(ctx, shown, lines);
    },
  },
  {
    name: 'next',
    summary: "the next ready task for an agent (P0 first, then oldest); --claim to take it",
    usage: 'next --agent NAME [--claim] [--fields F,…|all] [--json]',
    options: { ...writeOpts, ...agentOpt, ...fieldsOpt, claim: { type: 'boolean', help: 'claim it (compare-and-swap; exit 1 if someone else was faster)' } },
    async run(ctx) {
      const agent = agentOf(ctx);
      const { kb } = readKb(ctx);
      const fields = fieldsOf(ctx, allTasks(kb)); // before claiming: a usage error must not follow a change
      if (!ctx.values['claim']) {
        const task = nextTask(kb, agent);
        emit(ctx, { agent, task: task ? project(task, fields) : null }, task ? taskLine(task) : `no ready task for ${agent}`);
        return;
      }
      const result = await submit(ctx, 'claim-next', { agent }, agent);
      const task = result.value.task;
      if (!task) emit(ctx, { agent, task: null, revision: result.revision }, `no ready task for ${agent}`);
      else done(ctx, result, `${agent} claimed ${taskLine(task)}`, { agent, task: project(task, fields) });
    },
  },
  {
    name: 'claim',
    summary: 'claim a task for an agent (compare-and-swap: one winner)',
    usage: 'claim ID --agent NAME',
    positionals: { names: ['ID'], min: 1 },
    options: { ...writeOpts, ...agentOpt },
    async run(ctx) {
      const { id, agent, result } = await taskChange(ctx, 'claim', {});
      done(ctx, result, result.value.already ? `${id} was already claimed by ${agent}` : `${agent} claimed ${id}`, { id, agent });
    },
  },
  {
    name: 'assign',
    summary: 'create a task with the next id in the file (e.g. ASSIGN_012)',
    usage: 'assign --to NAME[ + NAME] --task TITLE [--priority P0|P1|…] [--depends ID…] [--by NAME]',
    options: {
      ...writeOpts,
      to: { type: 'string', arg: 'NAMES', help: 'assignee(s), e.g. "Frontend Agent + TestSprite Agent"', required: true },
      task: { type: 'string', arg: 'TITLE', help: 'what to do', required: true },
      priority: { type: 'string', arg: 'P', help: 'P0 (most urgent) … P9; default P1' },
      depends: { type: 'string', multiple: true, arg: 'ID', help: 'task ids that must be completed first' },
      by: { type: 'string', arg: 'NAME', help: 'assigning agent (default $CIOS_AGENT, else Product Manager/CTO Agent)' },
      description: { type: 'string', arg: 'TEXT', help: 'longer description' },
      id: { type: 'string', arg: 'ID', help: 'explicit id instead of the next one' },
    },
    async run(ctx) {
      const by = str(ctx.values, 'by') ?? ctx.io.env['CIOS_AGENT'];
      const input = {
        to: required(ctx, 'to'),
        task: required(ctx, 'task'),
        priority: str(ctx.values, 'priority'),
        dependencies: list(ctx.values, 'depends'),
        by,
        description: str(ctx.values, 'description'),
        id: str(ctx.values, 'id'),
      };
      if (input.priority !== undefined && !/^P\d$/.test(input.priority)) throw usageError(`assign: --priority must be like P0, P1, P2 (got "${input.priority}")`);
      const result = await submit(ctx, 'assign', input, by);
      done(ctx, result, `assigned ${taskLine(result.value)}`, { id: result.value.id, task: result.value });
    },
  },
  {
    name: 'start',
    summary: 'start working on a task (claims it if nobody has)',
    usage: 'start ID --agent NAME',
    positionals: { names: ['ID'], min: 1 },
    options: { ...writeOpts, ...agentOpt },
    async run(ctx) {
      const { id, agent, result } = await taskChange(ctx, 'start', {});
      done(ctx, result, `${agent} started ${id}`, { id, agent });
    },
  },
  {
    name: 'progress',
    summary: 'report progress (0–100) on a task, with a note',
    usage: 'progress ID --agent NAME --percent N [--note TEXT]',
    positionals: { names: ['ID', '[PERCENT]'], min: 1 },
    options: {
      ...writeOpts,
      ...agentOpt,
      percent: { type: 'string', arg: 'N', help: 'progress 0–100 (or give it after the id)', required: true },
      note: { type: 'string', arg: 'TEXT', help: 'what was done' },
    },
    async run(ctx) {
      const values = { ...ctx.values };
      if (values['percent'] === undefined && ctx.positionals[1] !== undefined) values['percent'] = ctx.positionals[1];
      const percent = int(values, 'percent', ctx.command, { min: 0, max: 100 });
      if (percent === undefined) throw usageError('progress: --percent N (0–100) is required');
      const { id, agent, result } = await taskChange(ctx, 'progress', { progress: percent, note: str(ctx.values, 'note') });
      done(ctx, result, `${id} at ${percent}%`, { id, agent, progress: percent });
    },
  },
  {
    name: 'complete',
    summary: 'mark a task completed, with result and notes',
    usage: 'complete ID --agent NAME [--result TEXT] [--notes TEXT]',
    positionals: { names: ['ID'], min: 1 },
    options: {
      ...writeOpts,
      ...agentOpt,
      result: { type: 'string', arg: 'TEXT', help: 'outcome (default "success")' },
      notes: { type: 'string', arg: 'TEXT', help: 'what was done, where' },
    },
    async run(ctx) {
      const { id, agent, result } = await taskChange(ctx, 'complete', { result: str(ctx.values, 'result'), notes: str(ctx.values, 'notes') });
      const unblocked = result.value.unblocked;
      done(ctx, result, `${id} completed${unblocked.length ? `; now ready: ${unblocked.join(', ')}` : ''}`, { id, agent, unblocked });
    },
  },
  {
    name: 'block',
    summary: 'mark a task blocked, with the reason',
    usage: 'block ID --agent NAME --reason TEXT',
    positionals: { names: ['ID'], min: 1 },
    options: { ...writeOpts, ...agentOpt, reason: { type: 'string', arg: 'TEXT', help: 'what it waits for', required: true } },
    async run(ctx) {
      const reason = required(ctx, 'reason');
      const { id, agent, result } = await taskChange(ctx, 'block', { reason });
      done(ctx, result, `${id} blocked: ${reason}`, { id, agent });
    },
  },
  {
    name: 'unblock',
    summary: 'clear a block, with the reason',
    usage: 'unblock ID --agent NAME --reason TEXT',
    positionals: { names: ['ID'], min: 1 },
    options: { ...writeOpts, ...agentOpt, reason: { type: 'string', arg: 'TEXT', help: 'why it can go on', required: true } },
    async run(ctx) {
      const reason = required(ctx, 'reason');
      const { id, agent, result } = await taskChange(ctx, 'unblock', { reason });
      done(ctx, result, `${id} unblocked (now ${result.value.status})`, { id, agent, status: result.value.status });
    },
  },
  {
    name: 'blocked',
    summary: 'blocked tasks and what they wait for',
    usage: 'blocked [--limit N] [--fields F,…|all] [--json]',
    options: { ...readOpts, ...limitOpt, ...fieldsOpt },
    run(ctx) {
      const { kb } = readKb(ctx);
      const all = blockedTasks(kb);
      const limit = int(ctx.values, 'limit', ctx.command, { min: 1, max: 1_000_000 }) ?? 50;
      const shown = all.slice(0, limit);
      const fields = fieldsOf(ctx, allTasks(kb));
      emit(
        ctx,
        { total: all.length, shown: shown.length, items: shown.map((b) => ({ ...project(b.task, fields), reason: b.reason, waits_on: b.waits_on })) },
        [
          ...shown.map((b) => `${taskLine(b.task)}\n    waiting for: ${waitingText(b)}`),
          all.length > shown.length ? `… ${all.length - shown.length} more` : `${all.length} blocked task(s)`,
        ],
      );
    },
  },
  {
    name: 'agents',
    summary: 'agent status: what each agent is doing',
    usage: 'agents [--json]',
    options: { ...readOpts, ...limitOpt },
    run(ctx) {
      const { kb } = readKb(ctx);
      const limit = int(ctx.values, 'limit', ctx.command, { min: 1, max: 1_000_000 }) ?? 100;
      const all = agentViews(kb);
      const shown = all.slice(0, limit);
      emit(
        ctx,
        { total: all.length, shown: shown.length, items: shown },
        shown.map(
          (a) =>
            `${clip(a.name, 32).padEnd(32)} ${(a.status ?? '-').padEnd(12)} ${a.assignment_id ?? ''}${a.current_task ? ` ${clip(a.current_task, 70)}` : ''}${a.progress !== null ? ` ${a.progress}%` : ''}`,
        ),
      );
    },
  },
  {
    name: 'log-change',
    summary: 'log an infrastructure change (who, what, which files or stacks, why)',
    usage: 'log-change --by NAME --what TEXT --why TEXT [--files F,…] [--stacks S,…] [--task ID] [--commit SHA]',
    options: {
      ...writeOpts,
      by: { type: 'string', arg: 'NAME', help: 'who made the change (default $CIOS_AGENT)', required: true },
      what: { type: 'string', arg: 'TEXT', help: 'what changed', required: true },
      why: { type: 'string', arg: 'TEXT', help: 'why', required: true },
      files: { type: 'string', multiple: true, arg: 'PATH', help: 'files changed' },
      stacks: { type: 'string', multiple: true, arg: 'NAME', help: 'stacks / environments touched' },
      task: { type: 'string', arg: 'ID', help: 'related task id' },
      commit: { type: 'string', arg: 'SHA', help: 'commit' },
    },
    async run(ctx) {
      const by = agentOf(ctx, 'by');
      const input = {
        by,
        what: required(ctx, 'what'),
        why: required(ctx, 'why'),
        files: list(ctx.values, 'files'),
        stacks: list(ctx.values, 'stacks'),
        task_id: str(ctx.values, 'task'),
        commit: str(ctx.values, 'commit'),
      };
      const result = await submit(ctx, 'log-change', input, by);
      done(ctx, result, `logged ${result.value.id}: ${clip(result.value.what, 80)}`, { id: result.value.id });
    },
  },
  {
    name: 'log-deployment',
    summary: 'record a deployment (new) or update one (--id); sets metrics.last_deployment',
    usage: 'log-deployment --env ENV --release ID --by NAME [--status S] [--commit SHA] … | log-deployment --id DEPLOY_001 --status S …',
    details: `Statuses: ${DEPLOYMENT_STATUSES.join(', ')}. Gates: --gate name=passed|failed|skipped|pending. Timings: --timing phase=ms.`,
    options: {
      ...writeOpts,
      id: { type: 'string', arg: 'ID', help: 'update this deployment record instead of creating one' },
      env: { type: 'string', arg: 'ENV', help: 'environment (new record)' },
      release: { type: 'string', arg: 'ID', help: 'release id (new record)' },
      by: { type: 'string', arg: 'NAME', help: 'who deploys (new record; default $CIOS_AGENT)' },
      status: { type: 'string', arg: 'S', help: `${DEPLOYMENT_STATUSES.join('|')} (new record default in_progress)` },
      commit: { type: 'string', arg: 'SHA', help: 'commit deployed' },
      task: { type: 'string', arg: 'ID', help: 'related task id' },
      plan: { type: 'string', arg: 'TEXT', help: 'plan summary' },
      gate: { type: 'string', multiple: true, arg: 'NAME=STATUS', help: 'gate result' },
      timing: { type: 'string', multiple: true, arg: 'PHASE=MS', help: 'phase duration in ms' },
      approval: { type: 'string', arg: 'ID', help: 'approval id used' },
      'rollback-ref': { type: 'string', arg: 'REF', help: 'rollback reference (deployment / release to return to)' },
      evidence: { type: 'string', arg: 'REF', help: 'evidence reference (log, report URL, artifact)' },
      notes: { type: 'string', arg: 'TEXT', help: 'notes' },
    },
    async run(ctx) {
      const status = str(ctx.values, 'status');
      if (status !== undefined && !(DEPLOYMENT_STATUSES as readonly string[]).includes(status)) {
        throw usageError(`log-deployment: --status must be one of ${DEPLOYMENT_STATUSES.join(', ')} (got "${status}")`);
      }
      const gates: GateResult[] | undefined = list(ctx.values, 'gate')?.map((g) => {
        const [name, s] = g.split('=');
        if (!name || !s || !['passed', 'failed', 'skipped', 'pending'].includes(s)) throw usageError(`log-deployment: --gate must be NAME=passed|failed|skipped|pending (got "${g}")`);
        return { name, status: s as GateResult['status'] };
      });
      const timingList = list(ctx.values, 'timing');
      const timings = timingList
        ? Object.fromEntries(
            timingList.map((t) => {
              const [name, ms] = t.split('=');
              if (!name || !ms || !/^\d+(\.\d+)?$/.test(ms)) throw usageError(`log-deployment: --timing must be PHASE=MS (got "${t}")`);
              return [name, Number(ms)];
            }),
          )
        : undefined;
      const common = {
        status: status as DeploymentStatus | undefined,
        commit: str(ctx.values, 'commit'),
        task_id: str(ctx.values, 'task'),
        plan_summary: str(ctx.values, 'plan'),
        gates,
        timings,
        approval_id: str(ctx.values, 'approval'),
        rollback_ref: str(ctx.values, 'rollback-ref'),
        evidence_ref: str(ctx.values, 'evidence'),
        notes: str(ctx.values, 'notes'),
      };
      const id = str(ctx.values, 'id');
      if (id !== undefined) {
        const result = await submit(ctx, 'update-deployment', { id, patch: common });
        done(ctx, result, `deployment ${id} is ${result.value.status}`, { deployment: result.value });
        return;
      }
      const by = agentOf(ctx, 'by');
      const input = { ...common, environment: required(ctx, 'env'), release_id: required(ctx, 'release'), deployed_by: by };
      const result = await submit(ctx, 'record-deployment', input, by);
      done(ctx, result, `recorded deployment ${result.value.id} (${result.value.release_id} → ${result.value.environment}: ${result.value.status})`, {
        deployment: result.value,
      });
    },
  },
  {
    name: 'record-tests',
    summary: 'record test results for a commit from a Vitest JSON report or JUnit XML',
    usage: 'record-tests --report PATH --commit SHA [--format auto|vitest|junit] [--scope TEXT] [--by NAME]',
    options: {
      ...writeOpts,
      report: { type: 'string', arg: 'PATH', help: 'Vitest --reporter=json output or JUnit XML', required: true },
      commit: { type: 'string', arg: 'SHA', help: 'commit tested', required: true },
      format: { type: 'string', arg: 'F', help: 'auto (default), vitest or junit' },
      scope: { type: 'string', arg: 'TEXT', help: 'what was tested' },
      by: { type: 'string', arg: 'NAME', help: 'who ran them (default $CIOS_AGENT)' },
    },
    async run(ctx) {
      const report = required(ctx, 'report');
      const commit = required(ctx, 'commit');
      const format = str(ctx.values, 'format') ?? 'auto';
      if (!['auto', 'vitest', 'junit'].includes(format)) throw usageError(`record-tests: --format must be auto, vitest or junit (got "${format}")`);
      let text: string;
      try {
        if (fs.statSync(report).size > 200 * 1024 * 1024) throw new KbError('invalid', `${report}: report larger than 200 MiB`);
        text = fs.readFileSync(report, 'utf8');
      } catch (error) {
        if (error instanceof KbError) throw error;
        throw new KbError('not_found', `${report}: cannot read the report (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
      const counts = format === 'vitest' ? countVitestJson(text, report) : format === 'junit' ? countJunitXml(text, report) : countTestReport(text, report);
      const by = str(ctx.values, 'by') ?? ctx.io.env['CIOS_AGENT'];
      const result = await submit(
        ctx,
        'record-tests',
        { commit, passed: counts.passed, failed: counts.failed, skipped: counts.skipped, source: `${counts.format}:${report}`, scope: str(ctx.values, 'scope'), by },
        by,
      );
      done(ctx, result, `recorded tests for ${commit}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`, { run: result.value });
    },
  },
  {
    name: 'request-approval',
    summary: 'ask for approval to deploy a release to an environment',
    usage: 'request-approval --env ENV --release ID --by NAME [--release-hash H] [--plan-hash H] [--reason TEXT]',
    options: {
      ...writeOpts,
      env: { type: 'string', arg: 'ENV', help: 'environment', required: true },
      release: { type: 'string', arg: 'ID', help: 'release id', required: true },
      by: { type: 'string', arg: 'NAME', help: 'who asks (default $CIOS_AGENT)', required: true },
      'release-hash': { type: 'string', arg: 'H', help: 'bind the approval to this release hash' },
      'plan-hash': { type: 'string', arg: 'H', help: 'bind the approval to this plan hash' },
      reason: { type: 'string', arg: 'TEXT', help: 'why' },
    },
    async run(ctx) {
      const by = agentOf(ctx, 'by');
      const input = {
        environment: required(ctx, 'env'),
        release_id: required(ctx, 'release'),
        requested_by: by,
        release_hash: str(ctx.values, 'release-hash'),
        plan_hash: str(ctx.values, 'plan-hash'),
        reason: str(ctx.values, 'reason'),
      };
      const result = await submit(ctx, 'request-approval', input, by);
      done(ctx, result, `requested ${result.value.id}: ${input.release_id} → ${input.environment}`, { approval: result.value });
    },
  },
  {
    name: 'approve',
    summary: 'approve a pending request (not your own; prod only by the Product Manager/CTO Agent)',
    usage: 'approve ID --by NAME [--release-hash H] [--plan-hash H] [--notes TEXT]',
    positionals: { names: ['ID'], min: 1 },
    options: {
      ...writeOpts,
      by: { type: 'string', arg: 'NAME', help: 'approver (default $CIOS_AGENT)', required: true },
      'release-hash': { type: 'string', arg: 'H', help: 'must match the hash bound in the request' },
      'plan-hash': { type: 'string', arg: 'H', help: 'must match the hash bound in the request' },
      notes: { type: 'string', arg: 'TEXT', help: 'notes' },
    },
    async run(ctx) {
      const by = agentOf(ctx, 'by');
      const id = ctx.positionals[0] as string;
      const input = { id, approved_by: by, release_hash: str(ctx.values, 'release-hash'), plan_hash: str(ctx.values, 'plan-hash'), notes: str(ctx.values, 'notes') };
      const result = await submit(ctx, 'approve', input, by);
      done(ctx, result, `${id} approved by ${by}`, { approval: result.value });
    },
  },
];
