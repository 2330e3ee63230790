#!/usr/bin/env node
// Reprints, at the very end of a failed CI log, what each failed Nx task printed about its failure.
// CI keeps only the tail of a run's output; with a dozen projects the failing task's own lines
// scroll out of it and the tail says only "Failed tasks: …". Usage: failure-digest.mjs LOG
import { readFileSync } from 'node:fs';

const MAX_LINES_PER_TASK = 120;
const ansi = /\x1b\[[0-9;]*m/g;

const lines = readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8').replace(ansi, '').split('\n');

/** Tasks listed under Nx's "Failed tasks:" heading, e.g. "@cios/backup-tools:test". */
function failedTasks() {
  const heading = lines.findLastIndex((line) => line.trim() === 'Failed tasks:');
  if (heading < 0) return [];
  const tasks = [];
  for (const line of lines.slice(heading + 1)) {
    const match = /^\s*-\s+(\S+)/.exec(line);
    if (match) tasks.push(match[1]);
    else if (tasks.length > 0 && line.trim() !== '') break;
  }
  return tasks;
}

/** The lines Nx printed for one task: from its "> nx run TASK" header to the next task's header. */
function taskOutput(task) {
  const start = lines.findIndex((line) => line.trim() === `> nx run ${task}` || line.trim().startsWith(`> nx run ${task} `));
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && line.trim().startsWith('> nx run '));
  return lines.slice(start, end < 0 ? undefined : end);
}

/** Vitest's failure section when there is one (it names the test and the assertion), else the tail. */
function failureLines(output) {
  const section = output.findIndex((line) => /Failed Tests? \d+|FAIL\s/.test(line));
  const relevant = section >= 0 ? output.slice(section) : output;
  return relevant.length > MAX_LINES_PER_TASK
    ? [`… ${relevant.length - MAX_LINES_PER_TASK} lines cut …`, ...relevant.slice(-MAX_LINES_PER_TASK)]
    : relevant;
}

const tasks = failedTasks();
if (tasks.length > 0) {
  console.log('\n===== failure digest: what each failed task printed =====');
  for (const task of tasks) {
    const output = taskOutput(task);
    console.log(`\n----- ${task} -----`);
    console.log(output.length > 0 ? failureLines(output).join('\n') : '(no output found for this task in the log)');
  }
  console.log(`\n===== ${tasks.length} failed task(s): ${tasks.join(', ')} =====`);
}
