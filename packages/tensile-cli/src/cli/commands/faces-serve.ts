/** `tensile faces serve`: the face access-control service with its admin page. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { EmbedderKind } from '../../apps/faces/embedder.js';
import { defaultDatabaseFile } from '../../apps/faces/service/data-folder.node.js';
import { QUEUE_PER_WORKER } from '../../apps/faces/service/face-service.node.js';
import { serveFaces } from '../../apps/faces/service/serve.node.js';
import { chooseDetectorModel, DEFAULT_FACE_DETECTOR, DEFAULT_MIN_FACE } from '../../apps/faces/load-face-pipeline.node.js';
import { startServicePool } from '../../apps/faces/service/pipeline-pool.node.js';
import { DEFAULT_UPLOAD_LIMITS } from '../../apps/faces/service/uploads.js';
import { EMBEDDER_OPTION_HELP, embedderKind } from '../embedder-option.js';
import { applyCommonOptions, type CommonOptions, nonNegativeInt, positiveInt } from '../options.js';

interface ServeCliOptions extends CommonOptions {
  db: string;
  port: number;
  host: string;
  embedder: EmbedderKind;
  tlsCert?: string;
  tlsKey?: string;
  maxBytes: number;
  maxFiles: number;
  maxPixels: number;
  workers: number;
  detector?: string;
  minFace: number;
  queue?: number;
}

export const PASSWORD_VARIABLE = 'TENSILE_FACES_PASSWORD';

export function registerFaceServeCommand(group: Command): void {
  group
    .command('serve')
    .description(`face access control: enrolment, identification, decisions and the admin page (password: $${PASSWORD_VARIABLE}, else generated at first start)`)
    .option('--db <file>', 'SQLite database; photographs and crops go in <file>.files', defaultDatabaseFile())
    .option('--port <n>', 'TCP port (0: any free port)', nonNegativeInt, 8080)
    .option('--host <address>', 'address to listen on (0.0.0.0: every interface)', '127.0.0.1')
    .option('--embedder <kind>', EMBEDDER_OPTION_HELP, embedderKind, 'face-api')
    .option('--detector <model>', `face detector: a model name in runs/faces/ or a path, or "none" for photographs centred on one face (default: ${DEFAULT_FACE_DETECTOR} when it exists, else none)`)
    .option('--min-face <pixels>', 'smallest face the detector looks for', positiveInt, DEFAULT_MIN_FACE)
    .option('--workers <n>', 'identification worker threads, each with its own copy of the networks (default: one a core)', positiveInt, availableParallelism())
    .option('--queue <n>', `photographs waiting for or in analysis before identifications are answered 503 with Retry-After (default ${QUEUE_PER_WORKER} a worker)`, positiveInt)
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM); needed for sign-in from other machines')
    .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
    .option('--max-bytes <n>', 'largest photograph in bytes', positiveInt, DEFAULT_UPLOAD_LIMITS.maxBytes)
    .option('--max-files <n>', 'most photographs per request', positiveInt, DEFAULT_UPLOAD_LIMITS.maxFiles)
    .option('--max-pixels <n>', 'largest photograph in pixels', positiveInt, DEFAULT_UPLOAD_LIMITS.maxPixels)
    .action(async (options: ServeCliOptions, command: Command) => {
      await applyCommonOptions({ ...command.optsWithGlobals<CommonOptions>(), ...options });
      if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw new Error('--tls-cert and --tls-key go together');
      const detector = chooseDetectorModel(options.detector);
      const pipeline = await startServicePool({ embedder: options.embedder, detector: detector === undefined ? undefined : { model: detector, minFace: options.minFace } }, options.workers);
      const running = await serveFaces({
        db: options.db,
        pipeline,
        port: options.port,
        host: options.host,
        password: process.env[PASSWORD_VARIABLE],
        limits: { maxBytes: options.maxBytes, maxFiles: options.maxFiles, maxPixels: options.maxPixels },
        maxPending: options.queue,
        tls: options.tlsCert && options.tlsKey ? { cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey) } : undefined,
      });
      const lines = [`faces service: ${running.url} (database ${options.db}, embedder ${pipeline.embedder} on ${options.workers} worker threads, threshold ${running.service.policy.threshold})`];
      lines.push(detector === undefined
        ? `no face detector${options.detector === 'none' ? '' : ` (runs/faces/${DEFAULT_FACE_DETECTOR}.safetensors not found; make it with: tensile faces train-detector --seeds 1)`}: every photograph is taken to be centred on one face, LFW's framing`
        : `face detector ${detector}: every face of at least ${options.minFace} pixels is identified`);
      if (running.generatedPassword) lines.push(`first start: the admin password is ${running.generatedPassword} — change it on the settings page, or set $${PASSWORD_VARIABLE}`);
      if (running.peopleWithoutEmbeddings > 0) lines.push(`note: ${running.peopleWithoutEmbeddings} people were enrolled with another embedder and cannot be recognised until re-enrolled`);
      process.stdout.write(`${lines.join('\n')}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          void running.close().then(() => pipeline.close()).then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
