import type { Command } from 'commander';
import { registerAnalyzeCommand } from './analyze.ts';
import { registerBenchCommand } from './bench.ts';
import { registerDemoCommand } from './demo.ts';
import { registerMetricsCommand } from './metrics.ts';
import { registerGenerateCommand } from './generate.ts';
import { registerScanCommand } from './scan.ts';
import { registerImportCommand } from './import.ts';
import { registerOptimizeCommand } from './optimize.ts';
import { registerStatsCommand } from './stats.ts';
import { registerAutoCommand } from './auto.ts';
import { registerReplayCommand } from './replay.ts';
import { registerOverfitCommand } from './overfit.ts';
import { registerWalkForwardCommand } from './walkforward.ts';
import { registerReportCommand } from './report.ts';
import { registerMineCommand } from './mine.ts';
import { registerCorrelateCommand, registerRegimesCommand } from './regimes.ts';

/** Registers one CLI command on the program. Each lives in its own file in this folder. */
export type RegisterCommand = (program: Command) => void;

/** Every command of the CLI, in help order. */
export const COMMANDS: RegisterCommand[] = [registerMetricsCommand, registerAnalyzeCommand, registerDemoCommand, registerBenchCommand, registerOptimizeCommand, registerGenerateCommand, registerScanCommand, registerImportCommand, registerStatsCommand, registerOverfitCommand, registerWalkForwardCommand, registerReportCommand, registerAutoCommand, registerReplayCommand, registerMineCommand, registerRegimesCommand, registerCorrelateCommand];
