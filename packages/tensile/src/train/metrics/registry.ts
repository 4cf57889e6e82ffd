/** Metrics by Keras name (camelCase or the snake_case log names) and from saved configs. */
import { ValueError } from '../../errors.js';
import { Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy } from './accuracy.js';
import { AUC } from './auc.js';
import { ConfusionMatrix, F1Score, Precision, Recall } from './classification.js';
import { Mean, type Metric, type MetricConfig } from './metric.js';

type MetricClass = new (args?: object) => Metric;

const CLASSES: Record<string, MetricClass> = {
  Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy, AUC, ConfusionMatrix, F1Score, Precision, Recall, Mean,
};

const NAMES = {
  accuracy: Accuracy,
  acc: Accuracy,
  binaryAccuracy: BinaryAccuracy,
  categoricalAccuracy: CategoricalAccuracy,
  sparseCategoricalAccuracy: SparseCategoricalAccuracy,
  topKCategoricalAccuracy: TopKCategoricalAccuracy,
  auc: AUC,
  precision: Precision,
  recall: Recall,
  f1Score: F1Score,
  confusionMatrix: ConfusionMatrix,
} as const;

export type MetricName = keyof typeof NAMES;

export function metricByName(name: MetricName): Metric {
  const cls = (NAMES as Record<string, MetricClass | undefined>)[name];
  if (!cls) throw new ValueError(`unknown metric '${name}' (known: ${Object.keys(NAMES).join(', ')})`);
  return new cls();
}

export function metricFromConfig(config: MetricConfig): Metric {
  const cls = CLASSES[config.className];
  if (!cls) throw new ValueError(`unknown metric class '${config.className}' (known: ${Object.keys(CLASSES).join(', ')})`);
  return new cls(config.config);
}
