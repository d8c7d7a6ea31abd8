import type { Command } from 'commander';

/** Registers one CLI command on the program. Each lives in its own file in this folder. */
export type RegisterCommand = (program: Command) => void;

/** Every command of the CLI, in help order. */
export const COMMANDS: RegisterCommand[] = [];
