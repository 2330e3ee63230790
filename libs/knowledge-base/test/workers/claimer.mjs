// Claims one task through the library; prints WIN or LOSE <message>.
import { update, claimTask } from '../../dist/index.js';

const [file, id, agent] = process.argv.slice(2);
try {
  await update((kb, ctx) => claimTask(kb, { id, agent }, ctx.now()), { file, timeoutMs: 60_000, agent });
  process.stdout.write('WIN\n');
} catch (error) {
  process.stdout.write(`LOSE ${error.message}\n`);
  process.exitCode = 1;
}
