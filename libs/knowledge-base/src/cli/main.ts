/** `cios-kb` dispatcher: parse, run, map errors to exit codes — never a stack trace. */
import { KbError } from '../errors.js';
import { parseCommandArgs, usageError } from './args.js';
import { commands, type Io } from './commands.js';
import { commandHelp, topLevelHelp } from './help.js';

export interface MainIo extends Io {
  err(text: string): void;
}

const defaultIo = (): MainIo => ({
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  cwd: process.cwd(),
});

/** Run the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: MainIo = defaultIo()): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      if (name === 'help' && rest[0]) return main([rest[0], '--help'], io);
      io.out(topLevelHelp(commands));
      return name === undefined ? 2 : 0;
    }
    const command = commands.find((c) => c.name === name);
    if (!command) throw usageError(`unknown command "${name}"; run cios-kb --help for the list`);
    const { values, positionals } = parseCommandArgs(rest, command.options, name);
    if (values['help']) {
      io.out(commandHelp(command));
      return 0;
    }
    const expected = command.positionals;
    if (positionals.length < (expected?.min ?? 0)) throw usageError(`${name}: missing ${expected?.names.slice(positionals.length).join(' ')} (usage: cios-kb ${command.usage})`);
    if (positionals.length > (expected?.names.length ?? 0)) throw usageError(`${name}: unexpected argument "${positionals[expected?.names.length ?? 0]}" (usage: cios-kb ${command.usage})`);
    await command.run({ values, positionals, io, command: name });
    return 0;
  } catch (error) {
    if (error instanceof KbError) {
      io.err(`cios-kb: ${error.message}`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`cios-kb: unexpected error: ${message}`);
    if (io.env['CIOS_KB_DEBUG'] && error instanceof Error && error.stack) io.err(error.stack);
    return 1;
  }
}
