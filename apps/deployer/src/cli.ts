/** `cios-deploy` entry point: everything lives in cli-run.ts so tests can call it in-process. */
import { runCli } from './cli-run.js';
import { onStopSignal } from './deployer.js';

process.on('SIGINT', () => onStopSignal('SIGINT'));
process.on('SIGTERM', () => onStopSignal('SIGTERM'));

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
// Let a piped stdout drain before the exit code is set.
process.stdout.write('', () => process.exit(code));
