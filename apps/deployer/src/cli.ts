/** `cios-deploy` entry point: everything lives in cli-run.ts so tests can call it in-process. */
import { runCli } from './cli-run.js';
import { onStopSignal } from './deployer.js';

// During a deploy the first signal means "stop and roll back"; otherwise, or on a second signal, exit.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping || !onStopSignal(signal)) process.exit(130);
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the deploy and rolling back; send it again to exit at once\n`);
  });
}

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
// Let a piped stdout drain before the exit code is set.
process.stdout.write('', () => process.exit(code));
