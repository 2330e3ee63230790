/* eslint-disable @typescript-eslint/no-explicit-any -- tests poke at arbitrary JSON */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../src/cli/main.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, assertBuilt, cleanupTemp, hasStackTrace, runCli, runCliAsync, tempKb } from './helpers.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

async function runInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (s) => (stdout += `${s}\n`), err: (s) => (stderr += `${s}\n`), env: {}, cwd: os.tmpdir() });
  return { code, stdout, stderr };
}

const fixture = () => JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Record<string, any>;

function variant(mutate: (kb: Record<string, any>) => void): string {
  const kb = fixture();
  mutate(kb);
  return JSON.stringify(kb, null, 2);
}

const deep = (n: number) => `{"agents": {}, "x": ${'['.repeat(n)}${']'.repeat(n)}}`;

/** A trailing comma in a task's dependencies: V8 names the stray ']' but gives no position, only an excerpt. */
function trailingComma(): { content: string; at: RegExp } {
  const text = fs.readFileSync(FIXTURE, 'utf8');
  const bad = '"dependencies": ["ASSIGN_001",]';
  const start = text.indexOf('"dependencies": []');
  const content = text.slice(0, start) + bad + text.slice(start + '"dependencies": []'.length);
  const offset = start + bad.length - 1;
  const line = content.slice(0, offset).split('\n').length;
  const column = offset - content.lastIndexOf('\n', offset - 1);
  return { content, at: new RegExp(`: ${line}:${column}: invalid JSON: unexpected '\\]'$`, 'm') };
}

/** name, file content (string or bytes), what the message must mention */
const cases: [string, () => string | Buffer, RegExp][] = [
  ['truncated JSON', () => fs.readFileSync(FIXTURE, 'utf8').slice(0, 700), /\d+:\d+: invalid JSON/],
  ['a missing comma', () => fs.readFileSync(FIXTURE, 'utf8').replace('"version": "4.0",', '"version": "4.0"'), /^cios-kb: .*\.ai-knowledge-base\.json: 3:\d+: invalid JSON/],
  ['a trailing comma (placed at line:column, no excerpt of the file)', () => trailingComma().content, trailingComma().at],
  ['a stray token in a short file', () => '{"a": [1,}', /: 1:10: invalid JSON: unexpected '\}'$/m],
  ['wrong types', () => variant((kb) => (kb.agent_coordination.active_assignments[1].dependencies = 'ASSIGN_001')), /agent_coordination\.active_assignments\[1\]\.dependencies: expected array/],
  ['an unknown status', () => variant((kb) => (kb.agent_coordination.active_assignments[3].status = 'done')), /agent_coordination\.active_assignments\[3\]\.status: expected one of pending, assigned/],
  ['duplicate IDs', () => variant((kb) => (kb.agent_coordination.active_assignments[2].id = 'ASSIGN_002')), /duplicate id "ASSIGN_002"/],
  [
    'a dependency cycle',
    () =>
      variant((kb) => {
        kb.agent_coordination.active_assignments[1].dependencies = ['ASSIGN_003'];
      }),
    /dependency cycle ASSIGN_00\d → ASSIGN_00\d → ASSIGN_00\d/,
  ],
  ['a dangling dependency', () => variant((kb) => kb.agent_coordination.active_assignments[2].dependencies.push('ASSIGN_999')), /dependencies\[1\]: unknown task id "ASSIGN_999"/],
  ['a self-dependency', () => variant((kb) => kb.agent_coordination.active_assignments[3].dependencies.push('ASSIGN_004')), /depends on itself/],
  ['progress above 100', () => variant((kb) => (kb.agent_coordination.active_assignments[4].progress = 140)), /active_assignments\[4\]\.progress: progress must be between 0 and 100/],
  ['a timestamp that is not ISO-8601', () => variant((kb) => (kb.agent_coordination.active_assignments[0].assigned_at = '18/11/2025 10:00')), /assigned_at: expected an ISO-8601 timestamp/],
  ['a non-object root', () => '[1, 2, 3]', /\(root\): expected a JSON object/],
  ['a __proto__ key', () => fs.readFileSync(FIXTURE, 'utf8').replace('"project": {', '"project": { "__proto__": { "polluted": true },'), /project\.__proto__: forbidden key "__proto__"/],
  ['a __proto__ key spelled with escapes', () => fs.readFileSync(FIXTURE, 'utf8').replace('"project": {', '"project": { "\\u005f_proto__": { "polluted": true },'), /project\.__proto__: forbidden key "__proto__"/],
  ['a date that does not exist', () => variant((kb) => (kb.agent_coordination.active_assignments[0].assigned_at = '2025-02-30T10:00:00Z')), /assigned_at: expected an ISO-8601 timestamp/],
  ['29 February of a year that is not a leap year', () => variant((kb) => (kb.agent_coordination.active_assignments[0].assigned_at = '2025-02-29')), /assigned_at: expected an ISO-8601 timestamp/],
  ['a constructor key', () => variant((kb) => (kb.agents['QA Agent'].constructor = { prototype: 1 })), /forbidden key "constructor"/],
  ['very deep nesting', () => deep(5000), /nested too deeply/],
  ['extremely deep nesting', () => deep(200_000), /nested too deeply|invalid JSON/],
  ['binary garbage', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)), /not UTF-8 text|NUL byte|invalid JSON/],
  ['NUL bytes', () => Buffer.concat([Buffer.from('{"a": 1'), Buffer.alloc(64), Buffer.from('}')]), /NUL byte/],
  ['an empty file', () => '', /file is empty/],
];

const writeCommands: string[][] = [
  ['claim', 'ASSIGN_004', '--agent', 'QA Agent'],
  ['assign', '--to', 'QA Agent', '--task', 'x'],
  ['complete', 'ASSIGN_005', '--agent', 'Frontend Agent'],
];

describe('bad input: clear message, non-zero exit, no stack trace, file byte-for-byte untouched', () => {
  cases.forEach(([name, content, expected], n) => {
    it(name, async () => {
      const { file, dir } = tempKb();
      fs.writeFileSync(file, content());
      const before = fs.readFileSync(file);
      // the real CLI process: a read and one kind of change (rotating), side by side ...
      const spawned = [n % 2 === 0 ? ['validate'] : ['status', '--json'], writeCommands[n % writeCommands.length] as string[]];
      const results = await Promise.all(spawned.map((args) => runCliAsync([...args, '--file', file])));
      // ... and every read and change through the same entry point in-process
      const inProcess = [['validate'], ['status'], ['tasks', '--json'], ['next', '--agent', 'QA Agent'], ...writeCommands];
      for (const args of inProcess) results.push(await runInProcess([...args, '--file', file]));
      const commands = [...spawned, ...inProcess];
      for (const [i, r] of results.entries()) {
        const args = commands[i] as string[];
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain(file);
        expect(r.stderr).toMatch(expected);
        expect(hasStackTrace(r.stderr + r.stdout)).toBe(false);
        expect(r.stderr.split('\n').length).toBeLessThan(15);
        expect(fs.readFileSync(file).equals(before)).toBe(true);
      }
      // no lock or temporary files left behind
      expect(fs.readdirSync(dir).sort()).toEqual(['.ai-knowledge-base.json']);
    });
  });

  it('a 50 MB file is refused by its size', () => {
    const { file } = tempKb();
    const kb = fixture();
    kb.padding = 'x'.repeat(50 * 1024 * 1024);
    fs.writeFileSync(file, JSON.stringify(kb));
    const size = fs.statSync(file).size;
    for (const args of [['validate'], ['claim', 'ASSIGN_004', '--agent', 'QA Agent']]) {
      const r = runCli([...args, '--file', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/larger than the 20\.0 MiB limit/);
      expect(r.stderr).toContain(file);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
    expect(fs.statSync(file).size).toBe(size);
  });

  it('a change that would make the KB invalid writes nothing', () => {
    const { file } = tempKb();
    const before = fs.readFileSync(file);
    const r = runCli(['assign', '--to', 'QA Agent', '--task', 'x', '--depends', 'ASSIGN_404', '--file', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown dependency "ASSIGN_404"/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('a missing file is named', () => {
    const missing = path.join(tempKb().dir, 'nope.json');
    for (const args of [['status'], ['claim', 'ASSIGN_001', '--agent', 'QA Agent']]) {
      const r = runCli([...args, '--file', missing]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${missing}: file not found`);
    }
    const inMissingDir = path.join(path.dirname(missing), 'no-such-dir', 'kb.json');
    const r = runCli(['assign', '--to', 'QA Agent', '--task', 'x', '--file', inMissingDir]);
    expect(r.stderr.trim()).toBe(`cios-kb: ${inMissingDir}: file not found`);
  });
});
