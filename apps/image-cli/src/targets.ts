import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { JsonSyntaxError, parseJsonText, type Service } from '@cios/platform-spec';
import { repositoryPath } from '@cios/containers';
import { CliError } from './errors.js';

/** Where an image comes from: a service (catalog) or a workspace app that holds a Dockerfile. */
export interface ImageTarget {
  readonly name: string;
  /** Repository path inside any registry, e.g. "cios/case-service". */
  readonly repository: string;
  readonly runtime: string;
  readonly runAsUser: number;
  readonly port: number;
  readonly health: Service['health'];
  /** Absolute build context, when the source is in this repository. */
  readonly contextDir?: string;
  /** The project's own Dockerfile; absent means the renderer writes one. */
  readonly dockerfile?: string;
  /** Why this target cannot be built here. */
  readonly skipped?: string;
}

const DEFAULT_HEALTH: Service['health'] = { protocol: 'http', liveness: '/healthz', readiness: '/readyz' };

/**
 * Catalog services with their build contexts (`sourceDir` or `apps/<name>`), then workspace apps outside the
 * catalog that keep a Dockerfile (apps/sample-api), as "cios/<name>" with the platform defaults (UID 10001).
 */
export function imageTargets(root: string, services: readonly Service[]): ImageTarget[] {
  const targets: ImageTarget[] = services.map((service) => {
    const sourceDir = service.sourceDir ?? `apps/${service.name}`;
    const contextDir = join(root, sourceDir);
    const base = {
      name: service.name,
      repository: repositoryPath(service.image),
      runtime: service.runtime,
      runAsUser: service.runAsUser,
      port: service.port,
      health: service.health,
    };
    if (!isDir(contextDir)) {
      return { ...base, skipped: `its source directory ${sourceDir} is not in this repository` };
    }
    const dockerfile = join(contextDir, 'Dockerfile');
    return { ...base, contextDir, ...(existsSync(dockerfile) ? { dockerfile } : {}) };
  });
  const known = new Set(targets.map((t) => t.name));
  const appsDir = join(root, 'apps');
  const apps = isDir(appsDir) ? readdirSync(appsDir).sort() : [];
  for (const app of apps) {
    const dockerfile = join(appsDir, app, 'Dockerfile');
    if (known.has(app) || !existsSync(dockerfile)) continue;
    targets.push({
      name: app,
      repository: `cios/${app}`,
      runtime: 'node',
      runAsUser: 10001,
      port: 8080,
      health: DEFAULT_HEALTH,
      contextDir: join(appsDir, app),
      dockerfile,
    });
  }
  return targets;
}

export function selectTargets(all: readonly ImageTarget[], names: readonly string[]): ImageTarget[] {
  const unknown = names.filter((n) => !all.some((t) => t.name === n));
  if (unknown.length > 0) {
    throw new CliError(
      `unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${all.map((t) => t.name).join(', ')}`,
    );
  }
  return names.map((n) => all.find((t) => t.name === n) as ImageTarget);
}

export interface NodeProject {
  readonly name?: string;
  readonly main?: string;
  readonly dependencies: Record<string, string>;
  readonly lockfile: boolean;
}

/** What the node renderer needs to know about a project directory, or undefined when it has no package.json. */
export function readNodeProject(dir: string, root: string): NodeProject | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  let json: { name?: unknown; main?: unknown; dependencies?: unknown };
  try {
    json = parseJsonText(readFileSync(file, 'utf8'), relative(root, file)) as typeof json;
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new CliError(error.message);
    throw error;
  }
  return {
    ...(typeof json.name === 'string' ? { name: json.name } : {}),
    ...(typeof json.main === 'string' ? { main: json.main.replace(/^\.\//, '') } : {}),
    dependencies: (json.dependencies ?? {}) as Record<string, string>,
    lockfile: existsSync(join(dir, 'package-lock.json')),
  };
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
