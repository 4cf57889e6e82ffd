/** Optimizers, learning-rate schedules and gradient clipping. */
export { Optimizer, type OptimizerOptions, type OptimizerConfig, type OptimizerState } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, Adamax, type AdamOptions } from './adam.js';
export { RMSprop, Adagrad, Adadelta, type RMSpropOptions, type AdagradOptions, type AdadeltaOptions } from './adaptive.js';
export { clipGradNorm, clipGradValue } from './clip.js';
export { LearningRateSchedule, StepDecay, ExponentialDecay, CosineDecay, OneCycle, scheduleFromConfig, type ScheduleConfig } from './schedules.js';
export { ReduceLROnPlateauScheduler, type PlateauOptions } from './plateau.js';
export { optimizerByName, optimizerFromConfig, type OptimizerName } from './registry.js';
