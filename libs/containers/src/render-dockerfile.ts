import { Runtime, type Service } from '@cios/platform-spec';
import { BASE_IMAGES, INTERPRETERS } from './base-images.js';

/** The parts of a service spec an image depends on. */
export type ImageServiceSpec = Pick<Service, 'name' | 'port' | 'runAsUser' | 'health'> & { readonly runtime: string };

export interface DockerfileProps {
  /**
   * What the container starts: for node a script relative to the project (e.g. "dist/main.js"), for python a module
   * run with `-m`; ignored for static.
   * @default "dist/main.js" (node), "app" (python) — what the workspace's tsc build and a src-layout package produce.
   */
  readonly entrypoint?: string;
  /**
   * Project paths copied into the image besides the dependency manifests.
   * @default ["dist"] for node and static (the build output), ["src"] for python — never the whole context.
   */
  readonly include?: readonly string[];
  /**
   * Whether the project has a lockfile (package-lock.json / requirements.txt with hashes) to install from.
   * Without one, node dependencies are installed from package.json alone, which only the CLI allows when the
   * project has no dependencies, since it would not be reproducible otherwise.
   * @default true, because reproducible builds need one.
   */
  readonly lockfile?: boolean;
  /**
   * Repository URL for `org.opencontainers.image.source`; the build may override it with `--build-arg SOURCE_URL`.
   * @default "https://github.com/cios/platform", the repository these images are built from.
   */
  readonly sourceUrl?: string;
  /**
   * Base images; tests and air-gapped builds override them with build args instead.
   * @default BASE_IMAGES[runtime], pinned by digest.
   */
  readonly baseImages?: { readonly build?: string; readonly runtime?: string };
}

export interface RenderedImageFiles {
  readonly dockerfile: string;
  readonly dockerignore: string;
}

export class UnknownRuntimeError extends Error {
  constructor(
    readonly service: string,
    readonly runtime: string,
  ) {
    super(
      `service "${service}" has runtime "${runtime}", which the image renderer does not know; use one of ${Runtime.options.join(', ')} or keep a hand-written Dockerfile in its source directory`,
    );
    this.name = 'UnknownRuntimeError';
  }
}

const DEFAULT_SOURCE_URL = 'https://github.com/cios/platform';

/** Dockerfile and .dockerignore for a service, from its spec alone: same spec and props → same bytes. */
export function renderImageFiles(service: ImageServiceSpec, props: DockerfileProps = {}): RenderedImageFiles {
  const parsed = Runtime.safeParse(service.runtime);
  if (!parsed.success) throw new UnknownRuntimeError(service.name, service.runtime);
  const runtime = parsed.data;
  const images = { ...BASE_IMAGES[runtime], ...props.baseImages };
  const header = [
    `# Image of the CIOS service "${service.name}" (runtime ${runtime}), rendered by @cios/containers from its`,
    '# service spec: regenerate it with `cios-image dockerfile` instead of editing it by hand.',
    '# Base images are pinned by digest; a build may replace them with --build-arg BUILD_IMAGE=… / BASE_IMAGE=….',
    `ARG BUILD_IMAGE=${images.build}`,
    `ARG BASE_IMAGE=${images.runtime}`,
    '',
  ];
  const body =
    runtime === 'node' ? nodeStages(service, props) : runtime === 'python' ? pythonStages(service, props) : staticStages(service, props);
  const footer = [
    // Kubernetes probes the service (liveness, readiness, startup); a Docker HEALTHCHECK would be ignored there
    // and only costs a process per interval.
    `# No HEALTHCHECK: Kubernetes probes ${probePaths(service)} on port ${service.port} do that.`,
    `USER ${service.runAsUser}`,
    `EXPOSE ${service.port}`,
    ...labels(service, props),
  ];
  return {
    dockerfile: `${[...header, ...body, ...footer].join('\n')}\n`,
    dockerignore: renderDockerignore(runtime, props),
  };
}

function nodeStages(service: ImageServiceSpec, props: DockerfileProps): string[] {
  const lockfile = props.lockfile ?? true;
  const include = props.include ?? ['dist'];
  const entrypoint = props.entrypoint ?? 'dist/main.js';
  const install = lockfile
    ? 'npm ci --omit=dev --ignore-scripts --no-audit --no-fund'
    : 'npm install --omit=dev --ignore-scripts --no-audit --no-fund --no-package-lock';
  return [
    '# Production dependencies only, installed where npm exists and copied into the runtime image.',
    'FROM ${BUILD_IMAGE} AS deps',
    'WORKDIR /app',
    'ENV NODE_ENV=production',
    lockfile ? 'COPY package.json package-lock.json ./' : 'COPY package.json ./',
    `RUN mkdir -p node_modules && ${install} && rm -rf /root/.npm`,
    '',
    '# Runtime: distroless Node (no shell, no npm). Files stay owned by root, so the service cannot rewrite its code.',
    'FROM ${BASE_IMAGE}',
    'WORKDIR /app',
    `ENV NODE_ENV=production PORT=${service.port}`,
    'COPY --from=deps /app/package.json ./package.json',
    'COPY --from=deps /app/node_modules ./node_modules',
    ...include.map((path) => `COPY ${path} ./${path}`),
    `ENTRYPOINT ${execArray([INTERPRETERS.node, entrypoint])}`,
  ];
}

function pythonStages(service: ImageServiceSpec, props: DockerfileProps): string[] {
  const include = props.include ?? ['src'];
  const module = props.entrypoint ?? 'app';
  const hashes = (props.lockfile ?? true) ? ' --require-hashes' : '';
  return [
    '# Production dependencies only, installed with pip into a directory the runtime image copies.',
    'FROM ${BUILD_IMAGE} AS deps',
    'WORKDIR /app',
    'COPY requirements.txt ./',
    `RUN pip install --no-cache-dir --no-compile --disable-pip-version-check${hashes} --target /app/deps -r requirements.txt`,
    '',
    '# Runtime: distroless Python (no shell, no pip). Files stay owned by root, so the service cannot rewrite its code.',
    'FROM ${BASE_IMAGE}',
    'WORKDIR /app',
    `ENV PYTHONPATH=/app/deps:/app/src PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=${service.port}`,
    'COPY --from=deps /app/deps ./deps',
    ...include.map((path) => `COPY ${path} ./${path}`),
    `ENTRYPOINT ${execArray([INTERPRETERS.python, '-m', module])}`,
  ];
}

function staticStages(service: ImageServiceSpec, props: DockerfileProps): string[] {
  const include = props.include ?? ['dist'];
  const health = [...new Set([service.health.liveness, service.health.readiness, service.health.startup].filter(isString))].sort();
  const conf = [
    'server {',
    `  listen ${service.port};`,
    '  root /usr/share/nginx/html;',
    '  server_tokens off;',
    ...health.map((path) => `  location = ${path} { access_log off; default_type text/plain; return 200 "ok"; }`),
    '  location / { try_files $uri $uri/ /index.html; }',
    '}',
  ];
  return [
    '# nginx configuration for the service port and its probe paths, written in a throw-away stage.',
    'FROM ${BUILD_IMAGE} AS config',
    `RUN printf '%s\\n' ${conf.map(shellQuote).join(' ')} > /tmp/default.conf`,
    '',
    '# Runtime: unprivileged nginx serving the built files, which stay owned by root.',
    'FROM ${BASE_IMAGE}',
    'COPY --from=config /tmp/default.conf /etc/nginx/conf.d/default.conf',
    ...include.map((path) => `COPY ${path} /usr/share/nginx/html`),
    'ENTRYPOINT ["nginx", "-g", "daemon off;"]',
  ];
}

function labels(service: ImageServiceSpec, props: DockerfileProps): string[] {
  // Last, so a new commit (new REVISION) changes only the image config, never a cached layer.
  return [
    '',
    '# Provenance labels; the builder passes REVISION (git commit) and CREATED (from SOURCE_DATE_EPOCH).',
    'ARG SOURCE_DATE_EPOCH',
    `ARG SOURCE_URL=${props.sourceUrl ?? DEFAULT_SOURCE_URL}`,
    'ARG REVISION=unknown',
    'ARG CREATED=1970-01-01T00:00:00Z',
    'LABEL org.opencontainers.image.source="${SOURCE_URL}" \\',
    '      org.opencontainers.image.revision="${REVISION}" \\',
    '      org.opencontainers.image.created="${CREATED}" \\',
    `      org.opencontainers.image.title="${service.name}" \\`,
    '      org.opencontainers.image.vendor="CIOS"',
  ];
}

function renderDockerignore(runtime: Runtime, props: DockerfileProps): string {
  const manifests =
    runtime === 'node'
      ? ['package.json', ...((props.lockfile ?? true) ? ['package-lock.json'] : [])]
      : runtime === 'python'
        ? ['requirements.txt']
        : [];
  const include = props.include ?? (runtime === 'python' ? ['src'] : ['dist']);
  return [
    '# Allow-list: the build context holds only what the image copies, so secrets, .git, node_modules,',
    '# tests and local files never reach the builder.',
    '*',
    ...[...manifests, ...include].map((path) => `!${path}`),
    '**/*.tsbuildinfo',
    '**/*.map',
    '**/*.spec.*',
    '**/*.test.*',
    '**/.env*',
    '**/__pycache__',
    '',
  ].join('\n');
}

function probePaths(service: ImageServiceSpec): string {
  if (service.health.protocol === 'tcp') return 'the TCP port';
  const paths = [...new Set([service.health.liveness, service.health.readiness, service.health.startup].filter(isString))];
  return paths.join(', ');
}

function isString(value: string | undefined): value is string {
  return typeof value === 'string';
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function execArray(items: readonly string[]): string {
  return `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;
}
