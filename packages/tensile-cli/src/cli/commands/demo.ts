/** `tensile demo`: builds the in-browser MNIST demo (a static folder) and serves it, cross-origin isolated. */
import type { Command } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildDemo } from '../../apps/demo/build.node.js';
import { serveFolder } from '../../apps/demo/serve.node.js';
import { applyCommonOptions, type CommonOptions, nonNegativeInt, positiveInt } from '../options.js';

interface DemoCliOptions extends CommonOptions {
  port: number;
  host: string;
  out?: string;
  serve: boolean;
  trainDigits: number;
  testDigits: number;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('train a CNN on MNIST in your browser: builds the demo page (bundle + a digit sprite from the data root) and serves it')
    .option('--port <n>', 'TCP port (0: any free port)', nonNegativeInt, 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--out <dir>', 'write the static folder here (any server can host it; threads need COOP/COEP headers); default a temporary folder')
    .option('--no-serve', 'only build the folder')
    .option('--train-digits <n>', 'MNIST training digits in the sprite', positiveInt, 4000)
    .option('--test-digits <n>', 'MNIST test digits in the sprite', positiveInt, 1000)
    .action(async (options: DemoCliOptions, command: Command) => {
      await applyCommonOptions({ ...command.optsWithGlobals<CommonOptions>(), ...options });
      const outDir = options.out ?? (await mkdtemp(path.join(tmpdir(), 'tensile-demo-')));
      await buildDemo({ outDir, trainDigits: options.trainDigits, testDigits: options.testDigits });
      process.stdout.write(`demo folder: ${outDir}\n`);
      if (!options.serve) return;
      const serving = await serveFolder(outDir, { port: options.port, host: options.host });
      process.stdout.write(`tensile demo: ${serving.url} (open it in a browser; Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => void serving.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      // A temporary folder goes with the server; one asked for with --out stays.
      if (options.out === undefined) await rm(outDir, { recursive: true, force: true });
    });
}
