import { checkOptions, optionNames } from '../options.js';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ModelFileError } from './errors.js';
import { saveModel, saveWeights } from './files.node.js';
import { Callback, type Logs } from '../train/callbacks/callback.js';
import { isImprovement, type MonitorMode, monitored, resolveMode } from '../train/callbacks/monitor.js';

export interface ModelCheckpointOptions {
  /** Target path; `{epoch}` is replaced by the 1-based epoch number (e.g. 'ckpt/epoch-{epoch}.safetensors'). */
  readonly filepath: string;
  /** Default 'val_loss'. */
  readonly monitor?: string;
  /** Only save when the monitored value improves (default false: every epoch). */
  readonly saveBestOnly?: boolean;
  readonly mode?: MonitorMode;
  /** Weights only (default false: architecture, weights and optimizer state, for resuming). */
  readonly saveWeightsOnly?: boolean;
}

/** Saves the model after every epoch, or only when it improves, creating the folders it saves into. */
export class ModelCheckpoint extends Callback {
  private best = Number.NaN;

  constructor(readonly options: ModelCheckpointOptions) {
    checkOptions('ModelCheckpoint', options, optionNames<ModelCheckpointOptions>()('filepath', 'monitor', 'saveBestOnly', 'mode', 'saveWeightsOnly'));
    super();
  }

  /** A folder that cannot be created fails before the first epoch, not after it. */
  override async onTrainBegin(): Promise<void> {
    const folder = path.dirname(this.options.filepath);
    if (!folder.includes('{epoch}')) await createFolder(folder);
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.options.saveBestOnly) {
      const monitor = this.options.monitor ?? 'val_loss';
      const value = monitored(logs, monitor, 'ModelCheckpoint');
      const mode = resolveMode(monitor, this.options.mode);
      if (!Number.isNaN(this.best) && !isImprovement(value, this.best, mode)) return;
      this.best = value;
    }
    const file = this.options.filepath.replaceAll('{epoch}', String(epoch + 1));
    await createFolder(path.dirname(file));
    if (this.options.saveWeightsOnly) await saveWeights(this.model, file);
    else await saveModel(this.model, file);
  }
}

async function createFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (e) {
    throw new ModelFileError(folder, `cannot create the checkpoint folder (${(e as Error).message})`);
  }
}
