import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UnknownRuntimeError } from '@cios/containers';
import { SpecError } from '@cios/platform-spec';
import { BUILD_HELP, runBuild } from './commands/build.js';
import { CHECK_RELEASE_HELP, runCheckRelease } from './commands/check-release.js';
import { DOCKERFILE_HELP, runDockerfile } from './commands/dockerfile.js';
import { LINT_HELP, runLint } from './commands/lint.js';
import { PUSH_HELP, runPush } from './commands/push.js';
import { RELEASE_HELP, runRelease } from './commands/release.js';
import { commandContext } from './context.js';
import { CliError, EXIT, UsageError } from './errors.js';
import type { Io } from './io.js';
import { parseRegistry } from './registry-access.js';

export const HELP = `Usage: cios-image <command> [options]

Hardened, reproducible images for CIOS services, built rootless, pushed to a registry and pinned by digest.

Commands:
  lint [FILE…]                      lint Dockerfiles (CIOS-DF rules)
  dockerfile SERVICE [--write]      render a service's Dockerfile from its spec
  build SERVICE… | --all            lint, build (docker buildx or buildah), write SBOMs and image archives
  push SERVICE… | --all --registry R [--insecure] [--from-archive]
                                    push (from the engine, or the archive build wrote) and read the digest back
  release --env E --registry R --out FILE
                                    write a release pinning every service's image by digest
  check-release FILE [--env E]      validate a release file (digests where the environment requires them)

Run "cios-image <command> --help" for a command's options. Every command takes --json.
Exit codes: 0 done, 1 refused/invalid input/failed check, 2 usage error.`;

const HELPS: Record<string, string> = {
  lint: LINT_HELP,
  dockerfile: DOCKERFILE_HELP,
  build: BUILD_HELP,
  push: PUSH_HELP,
  release: RELEASE_HELP,
  'check-release': CHECK_RELEASE_HELP,
};

const DEFAULT_REGISTRY = 'ghcr.io';

const COMMON = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
const OPTIONS: Record<string, ParseArgsConfig['options']> = {
  lint: { ...COMMON, dev: { type: 'boolean' } },
  dockerfile: { ...COMMON, write: { type: 'boolean' } },
  build: {
    ...COMMON,
    all: { type: 'boolean' },
    tag: { type: 'string' },
    'build-arg': { type: 'string', multiple: true },
    'sbom-dir': { type: 'string' },
    'no-sbom': { type: 'boolean' },
    'no-cache': { type: 'boolean' },
    'no-archive': { type: 'boolean' },
  },
  push: {
    ...COMMON,
    all: { type: 'boolean' },
    registry: { type: 'string' },
    insecure: { type: 'boolean' },
    tag: { type: 'string' },
    'from-archive': { type: 'boolean' },
  },
  release: {
    ...COMMON,
    env: { type: 'string' },
    registry: { type: 'string' },
    out: { type: 'string' },
    insecure: { type: 'boolean' },
    tag: { type: 'string' },
    commit: { type: 'string' },
    by: { type: 'string' },
    'sbom-dir': { type: 'string' },
    base: { type: 'string' },
  },
  'check-release': { ...COMMON, env: { type: 'string' } },
};

/** Runs one command line; returns the exit code. Errors become one clear message, never a stack trace. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.stderr : io.stdout)(`${HELP}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  const help = HELPS[command];
  const options = OPTIONS[command];
  if (!help || !options) {
    io.stderr(`cios-image: unknown command "${command}"\n\n${HELP}\n`);
    return EXIT.usage;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    const positionals = parsed.positionals;
    if (values['help']) {
      io.stdout(`${help}\n`);
      return EXIT.ok;
    }
    const json = values['json'] === true;
    const str = (name: string) => values[name] as string | undefined;
    const flag = (name: string) => values[name] === true;
    const need = (name: string): string => {
      const value = str(name);
      if (!value) throw new UsageError(`${command} needs --${name}`);
      return value;
    };
    const registry = () => {
      const value = need('registry');
      if (!parseRegistry(value)) throw new UsageError(`--registry "${value}" is not HOST[:PORT][/path]`);
      return value;
    };
    switch (command) {
      case 'lint':
        return runLint(commandContext(io, json), positionals, { dev: flag('dev') });
      case 'dockerfile': {
        if (positionals.length !== 1) throw new UsageError('dockerfile needs exactly one SERVICE');
        return runDockerfile(commandContext(io, json), positionals[0] as string, flag('write'));
      }
      case 'build':
      case 'push': {
        if (flag('all') === positionals.length > 0) throw new UsageError(`${command} needs SERVICE… or --all (not both)`);
        const context = commandContext(io, json);
        if (command === 'build') {
          return await runBuild(context, positionals, {
            all: flag('all'),
            ...(str('tag') ? { tag: str('tag') as string } : {}),
            buildArgs: (values['build-arg'] as string[] | undefined) ?? [],
            ...(str('sbom-dir') ? { sbomDir: str('sbom-dir') as string } : {}),
            sbom: !flag('no-sbom'),
            noCache: flag('no-cache'),
            archive: !flag('no-archive'),
          });
        }
        return await runPush(context, positionals, {
          all: flag('all'),
          // The Nx image-push target runs without --registry: CIOS_REGISTRY, else GHCR where the catalog's images live.
          registry: str('registry') ? registry() : (io.env['CIOS_REGISTRY'] ?? DEFAULT_REGISTRY),
          insecure: flag('insecure'),
          fromArchive: flag('from-archive'),
          ...(str('tag') ? { tag: str('tag') as string } : {}),
        });
      }
      case 'release': {
        if (positionals.length > 0) throw new UsageError(`release takes no SERVICE arguments: it covers every service`);
        const env = need('env');
        const reg = registry();
        const out = need('out');
        const optional = Object.fromEntries(
          (['tag', 'commit', 'by'] as const).filter((k) => str(k)).map((k) => [k, str(k) as string]),
        ) as { tag?: string; commit?: string; by?: string };
        return await runRelease(commandContext(io, json), {
          env,
          registry: reg,
          out,
          insecure: flag('insecure'),
          ...optional,
          ...(str('sbom-dir') ? { sbomDir: str('sbom-dir') as string } : {}),
          ...(str('base') ? { base: str('base') as string } : {}),
        });
      }
      case 'check-release': {
        if (positionals.length !== 1) throw new UsageError('check-release needs exactly one FILE');
        return runCheckRelease(commandContext(io, json), positionals[0] as string, str('env'));
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`cios-image ${command}: ${error.message}\n\n${help}\n`);
      return EXIT.usage;
    }
    if (error instanceof CliError || error instanceof SpecError || error instanceof UnknownRuntimeError) {
      io.stderr(`cios-image ${command}: ${error.message}\n`);
      return EXIT.failed;
    }
    io.stderr(`cios-image ${command}: ${(error as Error).message ?? String(error)}\n`);
    return EXIT.failed;
  }
}
