/** Node-only training helpers: checkpoints and CSV logs on disk, the terminal progress bar. */
import { useProgressReporter } from './callbacks/progress.js';
import { nodeProgressReporter } from './callbacks/progress-bar.node.js';

useProgressReporter(nodeProgressReporter);

export { ModelCheckpoint, type ModelCheckpointOptions } from './callbacks/model-checkpoint.node.js';
export { CSVLogger, type CSVLoggerOptions } from './callbacks/csv-logger.node.js';
export { ProgressBar, nodeProgressReporter } from './callbacks/progress-bar.node.js';
