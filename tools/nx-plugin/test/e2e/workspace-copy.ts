import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Files of the workspace as git sees them: tracked plus untracked-but-not-ignored, as they are on disk. */
function workspaceFiles(root: string): string[] {
  const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root);
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${root}: ${listed.stderr}`);
  const files = listed.stdout.split('\0').filter((f) => f !== '' && !f.startsWith('node_modules/'));
  return [...new Set(files)].filter((f) => {
    const path = join(root, f);
    return existsSync(path) && !lstatSync(path).isDirectory();
  });
}

/**
 * node_modules for the copy: every installed package is a symlink into the real node_modules, but the
 * workspace's own packages (@cios/*) and the bins point into the copy, so the copy runs its own code.
 */
function linkNodeModules(source: string, target: string): void {
  const from = join(source, 'node_modules');
  const to = join(target, 'node_modules');
  mkdirSync(to);
  for (const entry of readdirSync(from)) {
    if (entry === '@cios' || entry === '.bin' || entry === '.cache') continue;
    symlinkSync(join(from, entry), join(to, entry));
  }
  for (const dir of ['@cios', '.bin']) {
    if (!existsSync(join(from, dir))) continue;
    mkdirSync(join(to, dir));
    for (const entry of readdirSync(join(from, dir))) {
      const link = join(from, dir, entry);
      // Relative links (../../libs/x, ../@cios/x/bin/y.js) resolve inside the copy; others keep pointing at the real install.
      const dest = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : link;
      symlinkSync(dest, join(to, dir, entry));
    }
  }
}

export interface WorkspaceCopy {
  readonly root: string;
  /** Runs a command in the copy without a shell; output is captured. */
  run(command: string, args: readonly string[], env?: NodeJS.ProcessEnv, timeoutMs?: number): SpawnSyncReturns<string>;
  remove(): void;
}

/** A committed git repository holding the workspace's files, ready for `nx affected`. */
export function copyWorkspace(source: string): WorkspaceCopy {
  const root = mkdtempSync(join(tmpdir(), 'cios-e2e-'));
  try {
    for (const file of workspaceFiles(source)) {
      mkdirSync(join(root, dirname(file)), { recursive: true });
      cpSync(join(source, file), join(root, file), { preserveTimestamps: true });
    }
    linkNodeModules(source, root);
    const git = (...args: string[]) => {
      const result = run('git', args, root);
      if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
    };
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'e2e@cios.invalid');
    git('config', 'user.name', 'CIOS e2e');
    git('config', 'commit.gpgsign', 'false');
    git('add', '-A');
    git('commit', '-q', '-m', 'workspace as copied');
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return {
    root,
    run: (command, args, env = {}, timeoutMs = 240_000) => run(command, args, root, env, timeoutMs),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 60_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', FORCE_COLOR: '0', ...env },
  });
}
