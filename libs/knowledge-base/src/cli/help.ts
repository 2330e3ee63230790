/** --help text built from the command table. */
import type { OptionSpecs } from './args.js';

export interface CommandHelp {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpecs;
  details?: string;
}

export function commandHelp(cmd: CommandHelp): string {
  const lines = [`cios-kb ${cmd.usage}`, '', cmd.summary, ''];
  if (cmd.details) lines.push(cmd.details, '');
  lines.push('Options:');
  const rows = Object.entries(cmd.options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.arg ?? 'VALUE'}` : ''}`;
    return [flag, `${spec.help}${spec.required ? ' (required)' : ''}${spec.multiple ? ' (repeatable, or comma-separated)' : ''}`] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}${text}`);
  return lines.join('\n');
}

export function topLevelHelp(commands: readonly CommandHelp[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'cios-kb — read and change the shared .ai-knowledge-base.json safely (locked, atomic, validated)',
    '',
    'Usage: cios-kb <command> [options]      cios-kb <command> --help',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'The KB is --file PATH, else $CIOS_KB, else the nearest .ai-knowledge-base.json above the current directory.',
    '--agent defaults to $CIOS_AGENT. Every read takes --json; every change takes --expect-rev N.',
    'Exit codes: 0 done, 1 invalid KB or refused change, 2 usage error, 3 lock not obtained in time or stale --expect-rev.',
  ].join('\n');
}
