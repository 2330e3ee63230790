import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SpecError } from '@cios/platform-spec';
import { platform } from '@cios/catalog';
import { InputError, readRelease, readSuppressions } from './cli-input.js';
import { PolicyError, formatFinding } from './policy/run.js';
import { SuppressionError } from './policy/suppressions.js';
import { synthEnvironment, type SynthResult } from './synth.js';

const HELP = `cios-synth: synthesize the CIOS catalog to Terraform JSON, checked against the platform policy

Usage:
  cios-synth --env <name> [--out <dir>] [--release <file>] [--suppressions <file>] [--preview] [--json]
  cios-synth --all [--out <dir>] [--suppressions <file>] [--preview] [--json]

Options:
  --env <name>          one environment (${platform.environments.map((e) => e.name).join(', ')}); writes <out>/<stack>/cdk.tf.json
  --all                 every environment; writes <out>/<env>/<stack>/cdk.tf.json
  --out <dir>           output directory (default dist/stacks/<env> with --env, dist/stacks with --all)
  --release <file>      release JSON (images per service); without it images are <repository>:unreleased
  --suppressions <file> JSON array of { ruleId, resource, reason } accepted exceptions
  --preview             review output without a release: image findings are warnings, summary says NOT DEPLOYABLE
  --json                print a JSON result instead of text
  --help                this text

Exit codes: 0 written, 1 policy errors or invalid input (nothing written), 2 usage error.
`;

interface EnvResult {
  environment: string;
  ok: boolean;
  stacks?: SynthResult['stacks'];
  findings: unknown[];
  suppressed?: unknown[];
  error?: string;
}

function usage(message: string): never {
  process.stderr.write(`cios-synth: ${message}\n\n${HELP}`);
  process.exit(2);
}

function main(): number {
  let args;
  try {
    args = parseArgs({
      options: {
        env: { type: 'string' },
        all: { type: 'boolean', default: false },
        out: { type: 'string' },
        release: { type: 'string' },
        suppressions: { type: 'string' },
        preview: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    usage((error as Error).message);
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!args.env === !args.all) usage('give either --env <name> or --all');
  if (args.all && args.release) usage('--release belongs to one environment; use it with --env');
  const known = platform.environments.map((e) => e.name);
  if (args.env && !known.includes(args.env)) usage(`unknown environment "${args.env}" (known: ${known.join(', ')})`);

  const json = args.json;
  const log = (line: string) => {
    if (!json) process.stdout.write(`${line}\n`);
  };
  const results: EnvResult[] = [];
  let failed = false;
  try {
    const release = args.release ? readRelease(args.release) : undefined;
    const suppressions = args.suppressions ? readSuppressions(args.suppressions) : [];
    const targets = args.all ? known : [args.env as string];
    for (const name of targets) {
      const outdir = args.all ? join(args.out ?? 'dist/stacks', name) : (args.out ?? join('dist/stacks', name));
      log(`synth ${name} → ${outdir}`);
      try {
        const result = synthEnvironment({
          platform,
          environment: name,
          outdir,
          flat: true,
          preview: args.preview,
          suppressions: suppressions,
          ...(release ? { release, releaseSource: args.release as string } : {}),
        });
        for (const s of result.stacks) log(`  wrote ${s.file}`);
        const warnings = result.findings.filter((f) => f.severity === 'warning');
        if (warnings.length > 0) log(`  ${warnings.length} warning(s):`);
        for (const f of warnings) log(`  ${formatFinding(f).replace(/\n/g, '\n  ')}`);
        for (const f of result.suppressed) log(`  suppressed ${f.ruleId} ${f.resource}: ${f.suppression.reason}`);
        results.push({ environment: name, ok: true, stacks: result.stacks, findings: result.findings, suppressed: result.suppressed });
      } catch (error) {
        if (!(error instanceof PolicyError)) throw error;
        failed = true;
        if (!json) process.stderr.write(`${error.message}\n`);
        results.push({ environment: name, ok: false, findings: [...error.findings], error: `policy check failed` });
      }
    }
  } catch (error) {
    if (error instanceof SpecError || error instanceof InputError || error instanceof SuppressionError) {
      if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: error.message }, null, 2)}\n`);
      else process.stderr.write(`cios-synth: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (json) process.stdout.write(`${JSON.stringify({ ok: !failed, environments: results }, null, 2)}\n`);
  return failed ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`cios-synth: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
