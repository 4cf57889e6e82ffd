/** Node-only training helpers: CSV logs on disk, the terminal progress bar (checkpoints: `saving/`). */
import { useProgressReporter } from './callbacks/progress.js';
import { nodeProgressReporter } from './callbacks/progress-bar.node.js';

useProgressReporter(nodeProgressReporter);

export { CSVLogger, type CSVLoggerOptions } from './callbacks/csv-logger.node.js';
export { ProgressBar, nodeProgressReporter } from './callbacks/progress-bar.node.js';
