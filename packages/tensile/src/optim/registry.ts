/** Optimizers by name (for `compile({ optimizer: 'adam' })`) and from saved configs. */
import { ValueError } from '../errors.js';
import { Adam, Adamax, AdamW } from './adam.js';
import { Adadelta, Adagrad, RMSprop } from './adaptive.js';
import { learningRateFromConfig, Optimizer, type OptimizerConfig, type OptimizerOptions } from './optimizer.js';
import { SGD } from './sgd.js';

type OptimizerClass = new (options?: OptimizerOptions) => Optimizer;

const BY_CLASS: Record<string, OptimizerClass> = { SGD, Adam, AdamW, Adamax, RMSprop, Adagrad, Adadelta };

export type OptimizerName = 'sgd' | 'adam' | 'adamw' | 'adamax' | 'rmsprop' | 'adagrad' | 'adadelta';

const BY_NAME: Record<OptimizerName, OptimizerClass> = { sgd: SGD, adam: Adam, adamw: AdamW, adamax: Adamax, rmsprop: RMSprop, adagrad: Adagrad, adadelta: Adadelta };

/** An optimizer with default settings by (case-insensitive) name. */
export function optimizerByName(name: string): Optimizer {
  const cls = (BY_NAME as Record<string, OptimizerClass | undefined>)[name.toLowerCase()];
  if (!cls) throw new ValueError(`unknown optimizer '${name}' (known: ${Object.keys(BY_NAME).join(', ')})`);
  return new cls();
}

export function optimizerFromConfig(config: OptimizerConfig): Optimizer {
  const cls = BY_CLASS[config.className];
  if (!cls) throw new ValueError(`unknown optimizer class '${config.className}' (known: ${Object.keys(BY_CLASS).join(', ')})`);
  const { learningRate, ...rest } = config.config;
  return new cls({ ...rest, learningRate: learningRateFromConfig(learningRate) } as OptimizerOptions);
}
