import { Command, CommanderError } from 'commander';
import { SweeplensError } from '../errors.ts';
import { commandsFor, type RegisterCommand } from './commands/index.ts';
import { packageVersion } from './version.ts';

/** Exit codes of the CLI. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Builds the program with the given commands registered (see commandsFor). */
export function buildProgram(program: Command, commands: readonly RegisterCommand[]): Command {
  program
    .name('sweeplens')
    .description('Fast analytics for parameter-sweep backtests')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError()
    // Before the commands are added: commander copies this setting into each subcommand when it is
    // created, so a usage error in a subcommand throws (exit code 2 below) instead of exiting with 1.
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/**
 * Parses argv and runs the command. A SweeplensError (or any error, without --debug) is printed as
 * one line `sweeplens: <message>` on stderr with exit code 1; usage errors exit with 2.
 */
export async function runCli(argv: string[], program: Command = new Command()): Promise<void> {
  const debug = argv.includes('--debug');
  try {
    buildProgram(program, await commandsFor(argv));
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`sweeplens: ${message}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    else if (!(error instanceof SweeplensError)) process.stderr.write('(unexpected error; run with --debug for the stack trace)\n');
    process.exitCode = EXIT_FAILURE;
  }
}
