// Which command modules a CLI call loads: the named command's only, or all of them for help.
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { COMMAND_LOADERS, commandsFor } from '../../src/cli/commands/index.ts';

const names = (program: Command) => program.commands.map((c) => c.name());

async function registered(...args: string[]): Promise<string[]> {
  const program = new Command();
  for (const register of await commandsFor(['node', 'sweeplens', ...args])) register(program);
  return names(program);
}

describe('commandsFor', () => {
  it('loads only the named command (global flags before it are skipped)', async () => {
    expect(await registered('analyze', 'run-dir', '--workers', '2')).toEqual(['analyze']);
    expect(await registered('--debug', 'correlate', 'x')).toEqual(['correlate']);
    expect(await registered('stats', 'dsr')).toEqual(['stats']);
  });

  it('loads no command for --version alone (with --help too, all of them)', async () => {
    for (const args of [['--version'], ['-V'], ['--debug', '-V']]) expect(await registered(...args), args.join(' ')).toEqual([]);
    expect(await registered('--version', '--help')).toHaveLength(COMMAND_LOADERS.length);
  });

  it('loads every command, in help order, for help, no command or an unknown one', async () => {
    const all = COMMAND_LOADERS.map(([name]) => name);
    expect(all).toHaveLength(17);
    for (const args of [[], ['--help'], ['help', 'analyze'], ['nope']]) expect(await registered(...args), args.join(' ')).toEqual(all);
  });
});
