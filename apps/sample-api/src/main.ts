import { ENVIRONMENT_HELP, parseEnv } from './config.js';
import { createServer, type Logger } from './server.js';

/** The imperative shell of the bin: environment → server, JSON log lines on stdout, graceful SIGTERM. */

const USAGE = [
  'Usage: sample-api [--help]',
  '',
  'The reference CIOS service: GET /healthz, /readyz, /metrics, /api/cases, /api/cases/:id; PUT /admin/behaviour.',
  'Configured only through the environment:',
  ...ENVIRONMENT_HELP.map(([name, text]) => `  ${name.padEnd(32)}${text}`),
  '',
  'Exit codes: 0 stopped after SIGTERM/SIGINT, 1 failed to start, 2 bad arguments or environment.',
].join('\n');

const log: Logger = (level, msg, fields = {}) => {
  process.stdout.write(`${JSON.stringify({ level, msg, ...fields, time: new Date().toISOString() })}\n`);
};

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (argv.length > 0) {
    process.stderr.write(`sample-api: unexpected argument ${JSON.stringify(argv[0])}; it takes none (see --help)\n`);
    process.exit(2);
  }
  const config = parseEnv(process.env);
  if (!config.ok) {
    process.stderr.write(`sample-api: invalid environment:\n${config.errors.map((e) => `  ${e}`).join('\n')}\n`);
    process.exit(2);
  }
  let api;
  try {
    api = await createServer({ ...config.options, log });
  } catch (error) {
    log('error', 'failed to start', { error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  const server = api;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log('warn', 'second signal while draining: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    log('info', 'signal received', { signal });
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log('error', 'shutdown failed', { error: error instanceof Error ? error.message : String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main(process.argv.slice(2));
