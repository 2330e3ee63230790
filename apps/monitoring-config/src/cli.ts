import { UsageError, run } from './commands.js';

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
    process.stderr.write(`cios-monitoring: ${(error as Error).message}${usage ? '\nRun "cios-monitoring --help" for usage.' : ''}\n`);
    process.exit(usage ? 2 : 1);
  },
);
