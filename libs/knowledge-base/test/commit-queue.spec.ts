import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, assignTask, getTask, KbError, loadKb, recoverQueue, submitChange, update } from '../src/index.js';
import { enqueueChange, newChangeName, openQueue, queueDirFor, submitterOf, waitingSubmitters, type Journal } from '../src/queue-files.js';
import { cleanupTemp, tempKb } from './helpers.js';

afterAll(cleanupTemp);

const [RACER_A, RACER_B] = ['Racer A Agent', 'Racer B Agent'] as const;
const RACERS = [RACER_A, RACER_B] as const;

/** A KB with one task both racers may claim; returns its file, queue directory and the task id. */
async function contestedKb(): Promise<{ file: string; queue: string; id: string; revision: number }> {
  const { file } = tempKb();
  const { value, revision } = await update((kb, ctx) => assignTask(kb, { to: RACERS.join(' + '), task: 'contested', priority: 'P0' }, ctx.now()), { file });
  return { file, queue: openQueue(file), id: value.id, revision };
}

function outcomeOf(queue: string, name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(queue, `${name}.done`), 'utf8'));
}

describe('group commit', () => {
  it('makes every queued change in one write, judging each on its own', async () => {
    const { file, queue, id, revision } = await contestedKb();
    const first = newChangeName();
    const second = newChangeName();
    const garbage = newChangeName();
    enqueueChange(queue, first, { op: 'claim', input: { id, agent: RACER_A }, agent: null });
    enqueueChange(queue, second, { op: 'claim', input: { id, agent: RACER_B }, agent: null });
    fs.writeFileSync(path.join(queue, `${garbage}.req`), '{"op": "drop-tables"');

    // Our own change arrives last; whoever holds the lock makes them all.
    const mine = await submitChange('log-change', { by: 'DevOps Agent', what: 'after the race', why: 'test' }, { file });

    expect(mine.revision).toBe(revision + 1); // one write for the whole batch
    expect(mine.written).toBe(true);
    expect(outcomeOf(queue, first)).toMatchObject({ ok: true, revision: revision + 1, written: true });
    expect(outcomeOf(queue, second)).toMatchObject({ ok: false, code: 'refused', message: expect.stringContaining(`${file}: ${id} is already claimed by ${RACER_A}`) });
    expect(outcomeOf(queue, garbage)).toMatchObject({ ok: false, code: 'invalid' });
    const { kb } = loadKb(file);
    expect(getTask(kb, id).claimed_by).toBe(RACER_A);
    expect(kb.infrastructure_changes?.at(-1)?.what).toBe('after the race');
    // the refused claim left no trace: one claim event in the log
    expect(kb.agent_coordination?.coordination_log?.filter((e) => e.event === 'claim' && e.assignment_id === id)).toHaveLength(1);
  });

  it('reports a refusal to its submitter with the exit code of update()', async () => {
    const { file, id } = await contestedKb();
    await submitChange('claim', { id, agent: RACER_A }, { file });
    const refusal = await submitChange('claim', { id, agent: RACER_B }, { file }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(KbError);
    expect((refusal as KbError).exitCode).toBe(1);
    expect((refusal as KbError).message).toContain(`${file}: ${id} is already claimed by ${RACER_A}`);
    const again = await submitChange('claim', { id, agent: RACER_A }, { file });
    expect(again.written).toBe(false); // claiming what one holds writes nothing
  });

  it('withdraws a change that waited too long for the lock: nothing changed, nothing left behind', async () => {
    const { file } = tempKb();
    const before = fs.readFileSync(file);
    const lock = await acquireLock(file);
    try {
      const error = await submitChange('log-change', { by: 'DevOps Agent', what: 'late', why: 'test' }, { file, timeoutMs: 150 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KbError);
      expect((error as KbError).code).toBe('lock_timeout');
      expect((error as KbError).message).toContain('nothing was changed');
    } finally {
      lock.release();
    }
    expect(fs.readFileSync(file)).toEqual(before);
    expect(fs.existsSync(queueDirFor(file))).toBe(false);
  });

  it('knows which processes have a change waiting (what a combiner gathers on before its next batch)', () => {
    const { file } = tempKb();
    const queue = openQueue(file);
    const name = newChangeName();
    expect(submitterOf(name)).toBe(process.pid);
    expect(waitingSubmitters(queue)).toEqual(new Set());
    enqueueChange(queue, name, { op: 'log-change', input: { by: 'DevOps Agent', what: 'x', why: 'test' }, agent: null });
    enqueueChange(queue, name.replace(`-${process.pid}-`, '-4242-'), { op: 'log-change', input: { by: 'QA Agent', what: 'y', why: 'test' }, agent: null });
    expect(waitingSubmitters(queue)).toEqual(new Set([process.pid, 4242]));
  });
});

describe('recovery of a batch whose combiner died', () => {
  /** Lay out what a combiner leaves when killed after taking `names` and writing `journal` (if any). */
  function leftBehind(queue: string, names: readonly string[], changes: readonly unknown[], journal?: Journal): void {
    names.forEach((name, i) => fs.writeFileSync(path.join(queue, `${name}.taken`), JSON.stringify(changes[i])));
    if (journal) fs.writeFileSync(path.join(queue, 'batch.json'), JSON.stringify(journal));
  }

  it('puts the changes of an uncommitted batch back in the queue, and they are made exactly once', async () => {
    const { file, queue, id, revision } = await contestedKb();
    const name = newChangeName();
    const change = { op: 'claim', input: { id, agent: RACER_B }, agent: null };
    // journal written, KB not replaced: the KB is still at `revision`
    leftBehind(queue, [name], [change], { commit: revision + 1, outcomes: { [name]: { ok: true, revision: revision + 1, written: true, value: null } } });
    recoverQueue(file);
    expect(fs.readdirSync(queue)).toEqual([`${name}.req`]);
    expect(loadKb(file).kb.revision).toBe(revision);

    await submitChange('log-change', { by: 'DevOps Agent', what: 'next', why: 'test' }, { file });
    const { kb } = loadKb(file);
    expect(getTask(kb, id).claimed_by).toBe(RACER_B);
    expect(kb.agent_coordination?.coordination_log?.filter((e) => e.event === 'claim')).toHaveLength(1);
    expect(outcomeOf(queue, name)).toMatchObject({ ok: true, written: true });
  });

  it('hands out the outcomes of a committed batch without making its changes again', async () => {
    const { file, queue, id, revision } = await contestedKb();
    const name = newChangeName();
    // the combiner replaced the KB (claim made, revision + 1) and died before handing out outcomes
    await update((kb, ctx) => {
      const task = getTask(kb, id);
      task.claimed_by = RACER_A;
      task.claimed_at = ctx.now();
      task.status = 'claimed';
    }, { file });
    const outcome = { ok: true as const, revision: revision + 1, written: true, value: { already: false } };
    leftBehind(queue, [name], [{ op: 'claim', input: { id, agent: RACER_A }, agent: null }], { commit: revision + 1, outcomes: { [name]: outcome } });
    const kbBefore = fs.readFileSync(file, 'utf8');
    recoverQueue(file);
    expect(fs.readdirSync(queue)).toEqual([`${name}.done`]);
    expect(outcomeOf(queue, name)).toEqual(outcome);
    expect(fs.readFileSync(file, 'utf8')).toBe(kbBefore);
  });

  it('puts back changes taken before any journal was written; update() recovers too', async () => {
    const { file, queue, id } = await contestedKb();
    const name = newChangeName();
    leftBehind(queue, [name], [{ op: 'claim', input: { id, agent: RACER_A }, agent: null }]);
    await update((kb) => {
      kb['touched'] = true;
    }, { file });
    expect(fs.readdirSync(queue)).toEqual([`${name}.req`]);
  });
});
