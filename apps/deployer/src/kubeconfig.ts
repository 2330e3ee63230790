import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The kubeconfig files kubectl would read: $KUBECONFIG (colon-separated) or ~/.kube/config. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = env['KUBECONFIG'];
  if (list) return list.split(path.delimiter).filter(Boolean);
  return [path.join(os.homedir(), '.kube', 'config')];
}

/**
 * Whether a context of this name is defined. A line scan rather than a YAML parser: contexts
 * are `- name: <ctx>` entries under `contexts:`, and this only needs to know if one exists.
 */
export function kubeContextAvailable(context: string, env: NodeJS.ProcessEnv = process.env): boolean {
  for (const file of kubeconfigFiles(env)) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    let inContexts = false;
    for (const line of text.split('\n')) {
      if (/^\S/.test(line)) inContexts = /^contexts:/.test(line);
      if (!inContexts) continue;
      const m = /^\s*-?\s*name:\s*["']?([^"'\s]+)["']?\s*$/.exec(line);
      if (m && m[1] === context) return true;
    }
  }
  return false;
}
