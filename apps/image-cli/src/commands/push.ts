import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestDigest, RegistryError } from '@cios/containers';
import { buildahGlobals, detectBuilder } from '../builder.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { exec } from '../exec.js';
import { headCommit } from '../git.js';
import { parseRegistry, registryAccess, remoteRepository } from '../registry-access.js';
import { selectTargets } from '../targets.js';
import { tail } from './build.js';

export const PUSH_HELP = `Usage: cios-image push SERVICE… | --all [--registry HOST[:PORT][/path]] [--insecure] [--tag TAG] [--json]

Pushes each built image to REGISTRY/<repository>:<tag> and reads the digest back from the registry
(HEAD /v2/<repository>/manifests/<tag>, Docker-Content-Digest), printing REGISTRY/<repository>@<digest>.

  --registry HOST[:PORT]   where to push (e.g. ghcr.io/acme, 127.0.0.1:5000); default $CIOS_REGISTRY, else ghcr.io
  --insecure               plain HTTP (a loopback registry)
  --tag TAG                the tag the images were built with (default: the commit)
  --json                   results as JSON on stdout

Credentials: CIOS_REGISTRY_USERNAME and CIOS_REGISTRY_PASSWORD (never flags, so they stay out of process lists).
Exit: 0 pushed, 1 refused or failed, 2 usage.`;

export interface PushedImage {
  readonly service: string;
  readonly ref: string;
  readonly digest: string;
}

export async function runPush(
  context: CommandContext,
  names: readonly string[],
  options: { all: boolean; registry: string; insecure: boolean; tag?: string },
): Promise<number> {
  const { io, root, progress } = context;
  const chosen = options.all ? context.targets.filter((t) => !t.skipped) : selectTargets(context.targets, names);
  const builder = detectBuilder(io.env);
  const tag = options.tag ?? headCommit(root);
  const registry = parseRegistry(options.registry);
  if (!registry) throw new CliError(`--registry "${options.registry}" is not HOST[:PORT][/path]`);
  const access = registryAccess(registry, options.insecure, io.env);
  const pushed: PushedImage[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'cios-image-push-'));
  try {
    for (const target of chosen) {
      const local = builder === 'buildah' ? `localhost/${target.repository}:${tag}` : `${target.repository}:${tag}`;
      const repository = remoteRepository(registry, target.repository);
      const remote = `${registry.host}/${repository}:${tag}`;
      progress.step(`pushing ${target.name} to ${remote}`);
      const digestFile = join(scratch, `${target.name}.digest`);
      const creds = access.credentials ? ['--authfile', authFile(scratch, registry.host, access.credentials)] : [];
      const command =
        builder === 'buildah'
          ? { command: 'buildah', args: [...buildahGlobals(io.env), 'push', ...(options.insecure ? ['--tls-verify=false'] : []), ...creds, '--digestfile', digestFile, local, `docker://${remote}`] }
          : { command: 'docker', args: ['push', remote] };
      if (builder === 'docker') {
        const tagged = await exec('docker', ['tag', local, remote], { env: io.env });
        if (tagged.code !== 0) throw new CliError(`cannot tag ${local} as ${remote}: ${tail(tagged.stderr)}`);
      }
      const result = await exec(command.command, command.args, { env: io.env });
      if (result.code !== 0) {
        const text = redact(tail(result.stderr || result.stdout), access.credentials?.password);
        throw new CliError(`pushing ${target.name} to ${options.registry} failed (${command.command} exited ${result.code}):\n${text}`);
      }
      let digest: string;
      try {
        digest = await manifestDigest(access, repository, tag);
      } catch (error) {
        if (error instanceof RegistryError) throw new CliError(error.message);
        throw error;
      }
      if (builder === 'buildah') {
        const local = readFileSync(digestFile, 'utf8').trim();
        if (local !== digest) {
          throw new CliError(`the registry holds ${digest} for ${remote}, but buildah pushed ${local}; another push raced this one`);
        }
      }
      const ref = `${registry.host}/${repository}@${digest}`;
      progress.done(`pushed ${ref}`);
      pushed.push({ service: target.name, ref, digest });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (context.json) io.stdout(`${JSON.stringify({ pushed }, null, 2)}\n`);
  else for (const p of pushed) io.stdout(`${p.service}\t${p.ref}\n`);
  return 0;
}

function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}

/** A private auth file (0600, deleted after the push) instead of --creds, which every process listing would show. */
function authFile(dir: string, registry: string, credentials: { username: string; password: string }): string {
  const file = join(dir, 'auth.json');
  if (!existsSync(file)) {
    const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
    writeFileSync(file, JSON.stringify({ auths: { [registry]: { auth } } }), { mode: 0o600 });
  }
  return file;
}
