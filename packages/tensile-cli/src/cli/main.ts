#!/usr/bin/env node
/** The `tensile` command. */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import 'tensile/node';
import { registerCatsDogsCommands } from './commands/catsdogs.js';
import { registerFacesCommands } from './commands/faces.js';
import { registerIdsCommands } from './commands/ids.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerExportCommands } from './commands/export.js';
import { registerMnistCommands } from './commands/mnist.js';
import { positiveInt } from './options.js';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('tensile')
  .description('Tensile: deep learning in TypeScript — training, studies and benchmarks from the command line')
  .version(version)
  .option('--data-root <dir>', 'folder holding the datasets, searched first (then $TENSILE_DATA, ../shared/datasets from the working directory, the download cache)')
  .option('--backend <name>', 'compute backend: wasm, reference, or native (the optional @tensile/backend-native package; falls back to wasm when absent)')
  .option('--threads <n>', 'threads of the wasm and native backends', positiveInt)
  .option('--no-relaxed-simd', 'plain-SIMD wasm kernels: bit-identical results on every CPU, ~1.3× slower matrix products')
  .option('--json', 'print the result as JSON')
  .showHelpAfterError()
  // Global options go before the command, so `tensile bench --json` reaches the harness.
  .enablePositionalOptions();

const train = program.command('train').description('train a model');
const study = program.command('study').description('run a study and write a report');
registerMnistCommands(train, study);
registerIdsCommands(program);
registerCatsDogsCommands(program);
registerFacesCommands(program);
registerExportCommands(program);
registerBenchCommand(program);
registerDemoCommand(program);

program.parseAsync().then(
  // Exit once stdout is flushed: into a pipe it is asynchronous, and a large --json result would be cut short.
  () => process.stdout.write('', () => process.exit(0)),
  (error: unknown) => {
    process.stderr.write(`tensile: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
