import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { manifestDigest, RegistryError } from '@cios/containers';
import { buildahGlobals, detectBuilder, type BuilderKind } from '../builder.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { answers, exec } from '../exec.js';
import { headCommit } from '../git.js';
import { RECORD_FILE, imageDir, pushArchiveCommand, readArchivedImage } from '../image-archive.js';
import { parseRegistry, registryAccess, remoteRepository } from '../registry-access.js';
import { selectTargets, type ImageTarget } from '../targets.js';
import { tail } from './build.js';

export const PUSH_HELP = `Usage: cios-image push SERVICE… | --all [--registry HOST[:PORT][/path]] [--insecure] [--tag TAG] [--from-archive] [--json]

Pushes each built image to REGISTRY/<repository>:<tag> and reads the digest back from the registry
(HEAD /v2/<repository>/manifests/<tag>, Docker-Content-Digest), printing REGISTRY/<repository>@<digest>.

  --registry HOST[:PORT]   where to push (e.g. ghcr.io/acme, 127.0.0.1:5000); default $CIOS_REGISTRY, else ghcr.io
  --insecure               plain HTTP (a loopback registry)
  --tag TAG                the tag to push (default: the commit); the engine's image is the one built with it
  --from-archive           when the engine has no image at the tag, push the archive build wrote to
                           dist/images/<service>/image.tar (with skopeo), e.g. after a build cache restored it;
                           it may have been built at an earlier commit with the same inputs (image.json names it)
  --json                   results as JSON on stdout

Credentials: CIOS_REGISTRY_USERNAME and CIOS_REGISTRY_PASSWORD (never flags, so they stay out of process lists).
Exit: 0 pushed, 1 refused or failed, 2 usage.`;

export interface PushedImage {
  readonly service: string;
  readonly ref: string;
  readonly digest: string;
  /** Where the image came from: the container engine, or the archive build wrote (push --from-archive). */
  readonly from: 'engine' | 'archive';
}

export async function runPush(
  context: CommandContext,
  names: readonly string[],
  options: { all: boolean; registry: string; insecure: boolean; fromArchive?: boolean; tag?: string },
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
      const digestFile = join(scratch, `${target.name}.digest`);
      const authFile = access.credentials ? writeAuthFile(scratch, registry.host, access.credentials) : undefined;
      const source = engineHolds(builder, local, io.env) ? undefined : archivedSource(context, target, local, builder, options.fromArchive === true);
      progress.step(`pushing ${target.name} to ${remote}${source ? ` from ${source.label}` : ''}`);
      let command: { command: string; args: string[] };
      if (source) {
        command = pushArchiveCommand(source.record, source.file, remote, { insecure: options.insecure, digestFile, ...(authFile ? { authFile } : {}) });
      } else {
        const creds = authFile ? ['--authfile', authFile] : [];
        command =
          builder === 'buildah'
            ? { command: 'buildah', args: [...buildahGlobals(io.env), 'push', ...(options.insecure ? ['--tls-verify=false'] : []), ...creds, '--digestfile', digestFile, local, `docker://${remote}`] }
            : { command: 'docker', args: ['push', remote] };
        if (builder === 'docker') {
          const tagged = await exec('docker', ['tag', local, remote], { env: io.env });
          if (tagged.code !== 0) throw new CliError(`cannot tag ${local} as ${remote}: ${tail(tagged.stderr)}`);
        }
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
      // buildah and skopeo say what they pushed (docker push does not): the registry must hold exactly that.
      if (existsSync(digestFile)) {
        const sent = readFileSync(digestFile, 'utf8').trim();
        if (sent !== digest) {
          throw new CliError(`the registry holds ${digest} for ${remote}, but ${command.command} pushed ${sent}; another push raced this one`);
        }
      }
      const ref = `${registry.host}/${repository}@${digest}`;
      progress.done(`pushed ${ref}`);
      pushed.push({ service: target.name, ref, digest, from: source ? 'archive' : 'engine' });
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

/** Whether the container engine holds the image (the build that made it ran here, and nothing removed it). */
function engineHolds(builder: BuilderKind, image: string, env: NodeJS.ProcessEnv): boolean {
  const args = builder === 'buildah' ? [...buildahGlobals(env), 'inspect', '--type', 'image', image] : ['image', 'inspect', image];
  return answers(builder, args, env);
}

/** The archive to push when the engine lacks the image; refuses, saying what to do, when there is none or it was not asked for. */
function archivedSource(context: CommandContext, target: ImageTarget, local: string, builder: BuilderKind, fromArchive: boolean) {
  const { root } = context;
  const recordFile = relative(root, join(imageDir(root, target.name), RECORD_FILE));
  const missing = `no image ${local} in ${builder === 'buildah' ? 'buildah storage' : 'the Docker engine'}`;
  if (!fromArchive) {
    const hint = existsSync(join(root, recordFile)) ? `, or pass --from-archive to push the archive ${recordFile} describes` : '';
    throw new CliError(`${missing}: build it first (cios-image build ${target.name})${hint}`);
  }
  const archived = readArchivedImage(root, target.name);
  if (!archived) throw new CliError(`${missing} and no archive (${recordFile}): build it first (cios-image build ${target.name})`);
  const { record, file } = archived;
  return { record, file, label: `${relative(root, file)} (built at ${record.revision.slice(0, 12)}, image ${record.imageId.slice(0, 12)})` };
}

/** A private auth file (0600, deleted after the push) instead of --creds, which every process listing would show. */
function writeAuthFile(dir: string, registry: string, credentials: { username: string; password: string }): string {
  const file = join(dir, 'auth.json');
  if (!existsSync(file)) {
    const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
    writeFileSync(file, JSON.stringify({ auths: { [registry]: { auth } } }), { mode: 0o600 });
  }
  return file;
}
