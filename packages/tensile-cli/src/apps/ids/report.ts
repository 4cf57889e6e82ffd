/** The Markdown report of `tensile ids evaluate`: tables against the published figures, and how every choice was made. */
import { NSL_KDD_CATEGORIES } from 'tensile/node';
import { describeMachine } from '../report/machine.node.js';
import { markdownTable, mean, percentMeanStd } from '../report/stats.js';
import type { EvaluateIdsResult, ModelEvaluation, TestSetScores } from './evaluate.node.js';
import { ANOMALY_SETTINGS, GAN_SETTINGS, VARIANT_SETTINGS, VARIANTS } from './variants.js';
import { counted } from '../report/counted.js';

/** KDDTest+ accuracies reported by Alshinina & Elleithy (SWSNM poster), for comparison. */
export const PUBLISHED_ACCURACY: readonly { readonly method: string; readonly accuracy: number }[] = [
  { method: 'SWSNM (GAN, Keras)', accuracy: 0.865 },
  { method: 'ANN', accuracy: 0.812 },
  { method: 'Decision tree', accuracy: 0.815 },
  { method: 'SVM', accuracy: 0.6952 },
];

const VARIANT_NAMES: Record<string, string> = {
  gan: 'GAN discriminator (this work)',
  mlp: 'MLP, same network (this work)',
  logreg: 'Logistic regression (this work)',
  combined: 'Combined: MLP or anomaly GAN (this work)',
};

function byVariant(result: EvaluateIdsResult): [string, ModelEvaluation[]][] {
  const variants = [...new Set(result.models.map((m) => m.variant))].sort((a, b) => VARIANTS.indexOf(a) - VARIANTS.indexOf(b));
  return variants.map((v) => [v, result.models.filter((m) => m.variant === v)]);
}

function column(models: readonly ModelEvaluation[], file: string, pick: (s: TestSetScores) => number): string {
  return percentMeanStd(models.map((m) => pick(m.results[file]!)));
}

function metricsTable(result: EvaluateIdsResult, file: string): string {
  return markdownTable(
    ['detector', 'seeds', 'accuracy', 'precision', 'recall', 'F1', 'FPR', 'ROC AUC'],
    byVariant(result).map(([variant, models]) => [
      VARIANT_NAMES[variant] ?? variant,
      String(models.length),
      column(models, file, (s) => s.accuracy),
      column(models, file, (s) => s.precision),
      column(models, file, (s) => s.recall),
      column(models, file, (s) => s.f1),
      column(models, file, (s) => s.falsePositiveRate),
      column(models, file, (s) => s.rocAuc),
    ]),
  );
}

function detectionTable(result: EvaluateIdsResult, file: string): string {
  const attacks = NSL_KDD_CATEGORIES.slice(1);
  return markdownTable(
    ['detector', ...attacks, 'normal flagged (FPR)'],
    byVariant(result).map(([variant, models]) => [
      variant,
      ...attacks.map((name) => column(models, file, (s) => s.detectionRate[name]!)),
      column(models, file, (s) => s.falsePositiveRate),
    ]),
  );
}

function unseenTable(result: EvaluateIdsResult, file: string): string {
  const attacks = NSL_KDD_CATEGORIES.slice(1);
  return markdownTable(
    ['detector', 'known types flagged', 'unseen types flagged', ...attacks.map((name) => `unseen ${name}`)],
    byVariant(result).map(([variant, models]) => [
      variant,
      column(models, file, (s) => s.knownDetectionRate),
      column(models, file, (s) => s.unseenDetectionRate),
      ...attacks.map((name) => column(models, file, (s) => s.unseenDetectionByCategory[name]!)),
    ]),
  );
}

function categoryIndex(name: string): number {
  return (NSL_KDD_CATEGORIES as readonly string[]).indexOf(name);
}

/** Detection rate per attack type and detector; `*` marks a type the detector's training never saw. */
function typeTable(result: EvaluateIdsResult, file: string): string {
  const groups = byVariant(result);
  const types = Object.entries(result.models[0]!.results[file]!.detectionByType).sort(
    ([a, x], [b, y]) => categoryIndex(x.category) - categoryIndex(y.category) || y.records - x.records || a.localeCompare(b),
  );
  return markdownTable(
    ['attack type', 'category', 'records', ...groups.map(([variant]) => variant)],
    types.map(([type, { category, records }]) => [
      type,
      category,
      String(records),
      ...groups.map(([, models]) => {
        const entries = models.map((m) => m.results[file]!.detectionByType[type]!);
        const mark = entries[0]!.known === false ? ' *' : entries[0]!.known === null ? ' ?' : '';
        return `${percentMeanStd(entries.map((t) => t.flagged / t.records))}${mark}`;
      }),
    ]),
  );
}

function partsTable(result: EvaluateIdsResult, file: string): string[] {
  const combined = byVariant(result).filter(([, models]) => models[0]!.results[file]!.parts);
  if (combined.length === 0) return [];
  return [
    'ROC AUC of the combined detector\'s parts alone (the verdict uses both, with the thresholds chosen on validation):',
    '',
    markdownTable(
      ['detector', 'supervised part', 'anomaly score', 'combined score'],
      combined.map(([variant, models]) => [
        variant,
        column(models, file, (s) => s.parts!.supervised.rocAuc),
        column(models, file, (s) => s.parts!.anomaly.rocAuc),
        column(models, file, (s) => s.rocAuc),
      ]),
    ),
    '',
  ];
}

/** Confusion counts averaged over seeds (rounded), rows = truth. */
function confusionTables(models: readonly ModelEvaluation[], file: string): string {
  const average = (pick: (s: TestSetScores) => number[][]): number[][] => {
    const matrices = models.map((m) => pick(m.results[file]!));
    return matrices[0]!.map((row, r) => row.map((_, c) => Math.round(mean(matrices.map((m) => m[r]![c]!)))));
  };
  const binary = average((s) => s.confusion);
  const categories = average((s) => s.categoryConfusion);
  return [
    markdownTable(['truth \\ verdict', 'normal', 'attack'], [['normal', ...binary[0]!.map(String)], ['attack', ...binary[1]!.map(String)]]),
    '',
    markdownTable(['truth \\ predicted', ...NSL_KDD_CATEGORIES], categories.map((row, r) => [NSL_KDD_CATEGORIES[r]!, ...row.map(String)])),
  ].join('\n');
}

function publishedTable(result: EvaluateIdsResult): string {
  const ours = byVariant(result).map(([variant, models]) => [VARIANT_NAMES[variant] ?? variant, column(models, 'KDDTest+', (s) => s.accuracy), `measured here, ${models.length} seed(s)`]);
  const published = PUBLISHED_ACCURACY.map((p) => [p.method, (100 * p.accuracy).toFixed(2), 'published (Alshinina & Elleithy)']);
  return markdownTable(['method', 'KDDTest+ accuracy (%)', 'source'], [...published, ...ours]);
}

function trainingSection(result: EvaluateIdsResult): string[] {
  const training = result.training;
  const lines = byVariant(result).map(([variant, models]) => {
    const settings = VARIANT_SETTINGS[variant as keyof typeof VARIANT_SETTINGS];
    const epochs = models.map((m) => String(m.training['bestEpoch'] ?? '?')).join(', ');
    const thresholds = models.map((m) => m.threshold.toFixed(3)).join(', ');
    const seconds = models.map((m) => Number(m.training['seconds'] ?? NaN).toFixed(0)).join(', ');
    const heldOut = percentMeanStd(models.map((m) => Number(m.training['heldOutDetectionRate'] ?? NaN)));
    const thresholdPairs = models.flatMap((m) => {
      const pair = m.anomaly;
      return pair ? [`(${pair.supervised.toFixed(3)}, ${pair.anomaly.toPrecision(3)})`] : [];
    });
    const pairs = thresholdPairs.length > 0 ? `; thresholds (t_s, t_a) per seed: ${thresholdPairs.join(', ')}` : '';
    return `- **${variant}**: hidden layers [${settings.architecture.hidden.join(', ') || 'none'}], dropout ${settings.architecture.dropout}, Adam ${settings.learningRate}, batch ${settings.batchSize}, label smoothing ${settings.labelSmoothing}, at most ${counted(settings.maxEpochs, 'epoch')} (patience ${settings.patience}); epochs kept per seed: ${epochs}; thresholds: ${thresholds}; held-out attack types detected on validation: ${heldOut}%; training seconds per seed: ${seconds}${pairs}.`;
  });
  const splits = (training?.splits ?? []).map(
    (split) =>
      `- **Validation split \`${split.rule}\`** (${split.variants.join(', ')}; KDDTrain+ only, one fixed split shared by these variants and every seed): every record of the attack types ${split.heldOutAttacks.join(', ')} (${split.heldOutRecords.toLocaleString('en-US')} records, never trained on; ${
        split.rule === 'rarest-type'
          ? "per category the rarest type with at least 50 records that is not the category's most common"
          : "per category half (rounded up) of the types with at least 20 records other than the category's most common, drawn by the split seed 0"
      }, a rule fixed before any test run) plus 10% of the other records: ${split.validationRecords.toLocaleString('en-US')} validation records, ${split.trainRecords.toLocaleString('en-US')} for fitting. The held-out types stand in for the attack types of the test files that training never sees.`,
  );
  const hasCombined = result.models.some((m) => m.variant === 'combined');
  return [
    '## How each choice was made',
    '',
    '- **Data**: the test files (KDDTest+, KDDTest-21) are read only by `tensile ids evaluate`; `tensile ids train` never opens them.',
    ...(splits.length > 0 ? splits : ['- **Validation split**: KDDTrain+ only (see training.json).']),
    '- **Preprocessing**: log1p of the 38 numeric features (byte counts and durations span nine orders of magnitude), then min-max scaling, and one-hot protocol_type/service/flag; scaling statistics and vocabularies are fitted on the fitting part of KDDTrain+ only and saved in the model file.',
    '- **Architecture and optimiser**: fixed before any run on the test files (common defaults, listed below); the GAN\'s discriminator is the same network as the MLP baseline, trained with the same optimiser, so the comparison isolates the adversarial training.',
    '- **Epochs**: early stopping on the validation loss; the weights of the best validation epoch are kept.',
    '- **Threshold**: per model, the score cut with the best accuracy on the validation split (held-out attack types included).',
    ...(hasCombined
      ? [
          `- **Combined detector** (docs/ids/NOTES.md): the MLP above, fitted without the held-out types, flags a record when P(attack) ≥ t_s; an anomaly GAN trained on the normal fitting records only flags it when its anomaly score ≥ t_a; the record is an attack when either says so. The anomaly GAN is GANomaly/EGBAD-like: an encoder E (record → ${ANOMALY_SETTINGS.codeSize}-d code through [${ANOMALY_SETTINGS.encoderHidden.join(', ')}] ReLU units), a generator G (code → record through [${ANOMALY_SETTINGS.generatorHidden.join(', ')}] ReLU units) and a discriminator D (hidden [${ANOMALY_SETTINGS.discriminator.hidden.join(', ')}]) that tells records from their reconstructions G(E(x)); E and G minimise ${1 - ANOMALY_SETTINGS.featureWeight} × reconstruction error + ${ANOMALY_SETTINGS.featureWeight} × distance of D's last-hidden-layer features, which is also the anomaly score (Adam ${ANOMALY_SETTINGS.learningRate}, β1 0.5, batch ${ANOMALY_SETTINGS.batchSize}, at most ${counted(ANOMALY_SETTINGS.maxEpochs, 'epoch')}, early stopping (patience ${ANOMALY_SETTINGS.patience}) on the mean score of the validation normal records). Both thresholds are chosen together on validation for the best shift-balanced accuracy: the mean of normal records passed, known-type attacks flagged and unseen-type attacks flagged.`,
        ]
      : []),
    `- **GAN**: G maps ${GAN_SETTINGS.noiseSize}-d Gaussian noise through [${GAN_SETTINGS.generatorHidden.join(', ')}] ReLU units to a record in [0, 1]^d (Adam ${GAN_SETTINGS.generatorLearningRate}, β1 0.5) and is trained by feature matching against D's last hidden layer on the batch's real normal records. D sees ${GAN_SETTINGS.fakeFraction} fake record per real record, labelled malicious (loss weight ${GAN_SETTINGS.fakeWeight}); one G update per D update; label smoothing on every binary target.`,
    '',
    ...lines,
    '',
  ];
}

function load(average: readonly number[] | undefined): string {
  return average ? average.map((v) => v.toFixed(1)).join(' / ') : 'not recorded';
}

export function idsReport(result: EvaluateIdsResult): string {
  const groups = byVariant(result);
  const first = result.models[0]!;
  const records = (file: string): string => first.results[file]!.records.toLocaleString('en-US');
  return [
    '# GAN-based intrusion detection on NSL-KDD (reproducing SWSNM)',
    '',
    `Binary detection (attack vs normal) on KDDTest+ (${records('KDDTest+')} records) and KDDTest-21 (${records('KDDTest-21')}), mean ± std over seeds, in %.`,
    'Every model decides with its own threshold, chosen on the validation split of KDDTrain+.',
    '',
    '## Against the published figures (KDDTest+ accuracy)',
    '',
    publishedTable(result),
    '',
    '## KDDTest+',
    '',
    metricsTable(result, 'KDDTest+'),
    '',
    'Detection rate per attack category (share of its records flagged):',
    '',
    detectionTable(result, 'KDDTest+'),
    '',
    '## KDDTest-21',
    '',
    metricsTable(result, 'KDDTest-21'),
    '',
    detectionTable(result, 'KDDTest-21'),
    '',
    'KDDTest-21 keeps every R2L and U2R record of KDDTest+, so those two rates are the same in both tables.',
    '',
    '## Attack types seen and unseen in training',
    '',
    'An attack type is *unseen* by a detector when none of its records was in the data it was fitted on (the held-out validation types included). Share flagged on KDDTest+:',
    '',
    unseenTable(result, 'KDDTest+'),
    '',
    ...partsTable(result, 'KDDTest+'),
    'Per attack type on KDDTest+ (share flagged; `*`: unseen by that detector; `?`: its model file does not list its training types):',
    '',
    typeTable(result, 'KDDTest+'),
    '',
    '## Confusion matrices (counts, mean over seeds)',
    '',
    ...groups.flatMap(([variant, models]) =>
      ['KDDTest+', 'KDDTest-21'].flatMap((file) => [`### ${variant}, ${file}`, '', confusionTables(models, file), '']),
    ),
    '![ROC on KDDTest+](roc.png)',
    '',
    ...trainingSection(result),
    `Machine: ${describeMachine(result.machine)}. Evaluation took ${result.seconds.toFixed(0)} s (load average ${load(result.loadAverage)})${
      result.training ? `; training took ${(result.training.totalSeconds / 60).toFixed(1)} min (load average ${load(result.training.loadAverage)}; \`${result.training.command}\`)` : ''
    }. The machine is shared with other jobs, so times are indicative.`,
    '',
    'Reproduce with:',
    '',
    '```sh',
    ...(result.training ? [result.training.command] : []),
    result.command,
    '```',
    '',
  ].join('\n');
}
