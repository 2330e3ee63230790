import { spawnSync } from 'node:child_process';
import { CliError } from './errors.js';

function git(cwd: string, args: string[]): string | undefined {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

export function headCommit(cwd: string): string {
  const commit = git(cwd, ['rev-parse', 'HEAD']);
  if (!commit) throw new CliError(`cannot read the commit: "git rev-parse HEAD" failed in ${cwd}; run inside the repository`);
  return commit;
}

/** The commit time: the default SOURCE_DATE_EPOCH, so one commit always gives the same timestamps. */
export function commitEpoch(cwd: string, commit: string): number {
  const text = git(cwd, ['show', '-s', '--format=%ct', commit]);
  if (!text || !/^\d+$/.test(text)) throw new CliError(`cannot read the time of commit ${commit}`);
  return Number(text);
}

export function gitUser(cwd: string): string | undefined {
  const name = git(cwd, ['config', 'user.name']);
  const email = git(cwd, ['config', 'user.email']);
  if (name && email) return `${name} <${email}>`;
  return name ?? email;
}

export function repositoryRoot(cwd: string): string {
  return git(cwd, ['rev-parse', '--show-toplevel']) ?? cwd;
}
