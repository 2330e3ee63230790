import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

/**
 * A PATH directory of wrappers that log their argv and environment variable names, then run the real tool:
 * proves what the CLI hands its children.
 */
export function argvRecorder(tools: readonly string[]): { dir: string; log: string; read(): string } {
  const dir = mkdtempSync(join(tmpdir(), 'cios-backup-argv-'));
  const log = join(dir, 'argv.log');
  for (const tool of tools) {
    const real = execFileSync('sh', ['-c', `command -v ${tool}`]).toString().trim();
    const wrapper = join(dir, tool);
    writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "${tool} $*" >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  return { dir, log, read: () => (existsSync(log) ? readFileSync(log, 'utf8') : '') };
}
