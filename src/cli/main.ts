#!/usr/bin/env node
import { Command } from 'commander';
import { runCli } from './program.ts';

await runCli(process.argv, new Command());
