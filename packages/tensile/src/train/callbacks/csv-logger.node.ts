import { checkOptions, optionNames } from '../../options.js';
import { promises as fs } from 'node:fs';
import { Callback, type Logs } from './callback.js';

export interface CSVLoggerOptions {
  readonly filename: string;
  readonly separator?: string;
  /** Add to an existing file instead of replacing it (when resuming). */
  readonly append?: boolean;
}

/** Writes one CSV row per epoch: epoch, then every log value. */
export class CSVLogger extends Callback {
  private keys: string[] | null = null;

  constructor(readonly options: CSVLoggerOptions) {
    checkOptions('CSVLogger', options, optionNames<CSVLoggerOptions>()('filename', 'separator', 'append'));
    super();
  }

  override async onTrainBegin(): Promise<void> {
    this.keys = null;
    if (!this.options.append) await fs.writeFile(this.options.filename, '');
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const sep = this.options.separator ?? ',';
    let text = '';
    if (!this.keys) {
      this.keys = Object.keys(logs).sort();
      const exists = this.options.append && (await fs.stat(this.options.filename).then((s) => s.size > 0).catch(() => false));
      if (!exists) text += ['epoch', ...this.keys].join(sep) + '\n';
    }
    text += [epoch, ...this.keys.map((k) => logs[k] ?? '')].join(sep) + '\n';
    await fs.appendFile(this.options.filename, text);
  }
}
