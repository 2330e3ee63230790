import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseReleaseText } from '@cios/containers';
import { notRunningIn, runsIn, SpecError } from '@cios/platform-spec';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

export const CHECK_RELEASE_HELP = `Usage: cios-image check-release FILE [--env ENV] [--json]

Validates a release file against the Release schema, refuses images of catalog services that do not run in ENV
(their environments) and, for environments that require them (always prod), checks every image is pinned by
digest. ENV defaults to the release's own environment.
Exit: 0 valid, 1 invalid, 2 usage.`;

export function runCheckRelease(context: CommandContext, file: string, env: string | undefined): number {
  const { io, platform } = context;
  const path = resolve(io.cwd, file);
  if (!existsSync(path)) throw new CliError(`${file} does not exist`);
  const text = readFileSync(path, 'utf8');
  try {
    const loose = parseReleaseText(text, file);
    const name = env ?? loose.environment;
    const environment = platform.environments.find((e) => e.name === name);
    if (!environment) throw new CliError(`${file}: unknown environment "${name}"; the catalog has: ${platform.environments.map((e) => e.name).join(', ')}`);
    const release = parseReleaseText(text, file, environment);
    const elsewhere = platform.services.filter((s) => !runsIn(s, environment) && s.name in release.images);
    if (elsewhere.length > 0) {
      throw new CliError(
        `${file}: ${elsewhere.map((s) => `images.${s.name}: ${notRunningIn(s, environment)}`).join('; ')}`,
      );
    }
    if (context.json) io.stdout(`${JSON.stringify({ ok: true, file, environment: environment.name, images: Object.keys(release.images).length })}\n`);
    else io.stdout(`${file}: a valid release for ${environment.name} (${Object.keys(release.images).length} images)\n`);
    return 0;
  } catch (error) {
    if (error instanceof SpecError) throw new CliError(error.message);
    throw error;
  }
}
