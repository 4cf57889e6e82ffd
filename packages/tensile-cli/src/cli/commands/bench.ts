/** `tensile bench`: the benchmark harness of bench/WORKLOADS.md (bench/run.ts), with its options passed through. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('run the benchmark workloads on Tensile and, in the same run, on TensorFlow.js and PyTorch where installed')
    .allowUnknownOption()
    .passThroughOptions()
    .helpOption(false)
    .argument('[options...]', 'harness options: --quick, --json, --json-file F, --workloads a,b, --engines a,b, --slow')
    .action((args: string[]) => {
      // Compiled next to the CLI: build/bench or dist/bench, two folders above this file's folder.
      const harness = fileURLToPath(new URL('../../../bench/run.js', import.meta.url));
      if (!existsSync(harness)) throw new Error(`bench: the harness ${harness} is missing; run 'npm run build' first`);
      const { status } = spawnSync(process.execPath, [harness, ...args], { stdio: 'inherit' });
      if (status !== 0) throw new Error(`bench: the harness exited with status ${status}`);
    });
}
