/** report.md of a cats-vs-dogs run, from its results alone (so it can be regenerated from results.json). */
import { describeMachine } from '../report/machine.node.js';
import { markdownTable, mean, percentMeanStd, std } from '../report/stats.js';
import { augmentationOf, cnnShapeOf } from './model.js';
import type { CatsDogsResults } from './study.node.js';
import { counted } from '../report/counted.js';

const TARGET_ACCURACY = 0.82;
const TARGET_SHRINK = 3.5;
const TARGET_DROP_POINTS = 1;

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (kibibytes: number): string => `${(kibibytes / 1024).toFixed(1)} MiB`;
const met = (ok: boolean): string => (ok ? 'met' : '**missed**');

function cnnDescription(settings: CatsDogsResults['settings']): string {
  const s = cnnShapeOf(settings);
  const conv = (f: number): string => (s.batchNorm ? `conv ${f}·3×3 → BN → ReLU` : `conv ${f}·3×3 ReLU`);
  const stage = (f: number): string => `${Array.from({ length: s.convsPerStage }, () => conv(f)).join(' → ')} → max-pool 2`;
  return `${s.filters.map(stage).join(' → ')} → dense ${s.units} ReLU → dropout ${s.dropout} → dense 2`;
}

export function catsDogsReport(r: CatsDogsResults): string {
  const s = r.settings;
  const augmentation = augmentationOf(s);
  const accuracies = r.runs.map((run) => run.validationAccuracy);
  const d = r.deployment;
  const drop = 100 * (d.floatAccuracy - d.int8Accuracy);
  const shrink = d.floatBytes / d.int8Bytes;
  const networks = s.ensemble ?? 1;
  const runRows = r.runs.map((run) => [
    String(run.seed), `${run.networks.map((n) => n.selectedEpoch).join(', ')} / ${s.epochs}`, run.selectionAccuracy === null ? '—' : pct(run.selectionAccuracy), pct(run.validationAccuracy), `${run.trainSeconds.toFixed(0)} s`,
    run.seed === r.deployedSeed ? 'deployed' : '',
  ]);
  const networkRows = r.runs.flatMap((run) => run.networks.map((n) => [String(run.seed), String(n.seed), `${n.selectedEpoch} / ${n.epochs.length}`, n.selectionAccuracy === null ? '—' : pct(n.selectionAccuracy), pct(n.validationAccuracy)]));
  const networkAccuracies = r.runs.flatMap((run) => run.networks.map((n) => n.validationAccuracy));
  const loaded = r.runs.flatMap((run) => run.networks.filter((n) => n.loadedFrom !== undefined));
  const latency = d.latency;
  const deployRows = [
    [networks > 1 ? `file size (${networks} networks + manifest)` : 'file size', kib(d.floatBytes), kib(d.int8Bytes), `${shrink.toFixed(2)}× smaller`],
    ['validation accuracy', pct(d.floatAccuracy), pct(d.int8Accuracy), `${drop >= 0 ? '−' : '+'}${Math.abs(drop).toFixed(2)} points`],
    ...(latency
      ? [
          ['latency per image, median (mean)', `${latency.float.medianMs.toFixed(2)} ms (${latency.float.meanMs.toFixed(2)})`, `${latency.int8.medianMs.toFixed(2)} ms (${latency.int8.meanMs.toFixed(2)})`, `${(latency.float.medianMs / latency.int8.medianMs).toFixed(2)}× faster`],
          ['peak RSS of the process', mib(latency.float.peakRssKiB), mib(latency.int8.peakRssKiB), `${(latency.float.peakRssKiB / latency.int8.peakRssKiB).toFixed(2)}× less`],
        ]
      : []),
  ];
  const [[tc, fd], [fc, td]] = r.runs.find((run) => run.seed === r.deployedSeed)!.confusion as [[number, number], [number, number]];
  return `# Cats vs dogs on a small device (after Shiddieqy et al.), with int8 inference

${s.size}×${s.size} ${s.gray ? 'grayscale' : 'RGB'} photos, ${s.refit
    ? `trained on all ${r.counts.fit} training photos (a refit: the recipe was chosen with \`catsdogs explore\` on a stratified fit / model-selection split of them)`
    : `${r.counts.fit} fit + ${r.counts.selection} model-selection photos (a stratified split of the
${r.counts.fit + r.counts.selection} training photos)`}, scored once on the ${r.counts.validation} validation photos, which no choice looked at.

**Validation accuracy: ${percentMeanStd(accuracies)}% (mean ± std over ${r.runs.length} seeds${networks > 1 ? `, each an ensemble of ${networks} networks` : ''})** — target ≥ ${pct(TARGET_ACCURACY)}: ${met(mean(accuracies) >= TARGET_ACCURACY)}.
**int8: ${shrink.toFixed(2)}× smaller (target ≥ ${TARGET_SHRINK}×: ${met(shrink >= TARGET_SHRINK)}), accuracy change ${drop >= 0 ? '−' : '+'}${Math.abs(drop).toFixed(2)} points (target ≤ ${TARGET_DROP_POINTS}: ${met(drop <= TARGET_DROP_POINTS)}).**

## Setup
- Pipeline: JPEG decode (jpeg-js), ${s.gray ? 'grayscale, ' : ''}area resize to ${s.size}×${s.size}, pixels / 255; decoded once (${r.decodeSeconds.toFixed(0)} s for all photos).
- Augmentation in the model (training only): horizontal flips, rotations up to ±${(360 * augmentation.rotation).toFixed(1)}°, zooms and shifts up to ±${(100 * augmentation.shift).toFixed(0)}%, drawn per photo and applied as one bilinear resampling (RandomAffine), pixels from outside the photo left black.
- CNN: ${cnnDescription(s)}.
- Adam, learning rate ${s.learningRate} with cosine decay to 1% over the run, batch ${s.batchSize}, ${counted(s.epochs, 'epoch')} per ${networks > 1 ? 'network' : 'seed'}; ${s.refit ? `each ${networks > 1 ? 'network' : 'seed'} keeps its last epoch` : 'model selection = the epoch with the best accuracy on the selection photos (ties: earlier)'}.
${networks > 1 ? `- Each seed's model is an ensemble of ${networks} networks (network seeds (seed − 1)·${networks} + 1 … seed·${networks}: other initial weights, augmentation draws and batch orders), each trained and ${s.refit ? 'kept at its last epoch' : 'epoch-selected on its own'} as above; the ensemble's prediction is the mean of their softmax outputs.\n` : ''}${loaded.length > 0 ? `- Network${loaded.length === 1 ? '' : 's'} ${loaded.map((n) => n.seed).join(', ')} ${loaded.length === 1 ? 'was' : 'were'} not trained again but loaded from an earlier run of the same recipe (\`--reuse ${loaded[0]!.loadedFrom}\`); training is repeatable, so ${loaded.length === 1 ? 'it is' : 'they are'} the network${loaded.length === 1 ? '' : 's'} training would give, and ${loaded.length === 1 ? 'its' : 'their'} epochs and training times are that run's (the command below without \`--reuse\` trains every network and gives the same networks and accuracies).\n` : ''}- The deployed model is ${s.refit ? 'the first seed (with no held-out training photos, only the validation photos could rank the seeds)' : `the seed with the best *selection* accuracy (seed ${r.deployedSeed})`}; ${networks > 1 ? 'its ensemble is the one quantised (network by network) and measured, every network running on each image' : 'it is the one quantised and measured'}.

## Seeds
${markdownTable(['seed', s.refit ? 'epoch kept' : networks > 1 ? 'selected epochs' : 'selected epoch', networks > 1 ? 'selection acc. (ensemble)' : 'selection acc.', 'validation acc.', 'training time', ''], runRows)}
${networks > 1 ? `\nThe networks alone (reported only; no choice looks at their validation accuracy): ${percentMeanStd(networkAccuracies)}% on the validation photos over ${networkAccuracies.length} networks, against ${percentMeanStd(accuracies)}% for their ensembles.\n\n${markdownTable(['seed', 'network seed', s.refit ? 'epoch kept' : 'selected epoch', 'selection acc.', 'validation acc.'], networkRows)}\n` : ''}
Mean ± std of validation accuracy: ${percentMeanStd(accuracies)}% (std ${(100 * std(accuracies)).toFixed(2)} points).

![accuracy curves](curves.png)
![loss curves](loss.png)

## Deployed model on the validation photos
Confusion (rows actual, columns predicted): cat→cat ${tc}, cat→dog ${fd}, dog→cat ${fc}, dog→dog ${td}.

![confusion matrix](confusion.png)
![misclassified examples](misclassified.png)

## int8 post-training quantisation (per-channel weights, per-tensor activations)
Weights: symmetric int8 per output channel; activations: affine int8 per tensor with ranges (min/max) from ${d.calibrationImages} training (fit) photos;
the int8 path runs im2col + int16 dot-product GEMM (\`i32x4.dot_i16x8_s\`) with fused requantisation and ReLU in a separate single-threaded WebAssembly module.
float and int8 agree on ${pct(d.agreement)} of the validation photos.

${markdownTable(['', 'float32', 'int8', ''], deployRows)}

${latency ? `Latency and peak RSS were measured **on this machine, one thread**, each mode in its own child process (${latency.int8.images} validation images one at a time after 5 warm-up images; decoding excluded; float = Tensile's WASM backend with TENSILE_THREADS=1, int8 = the int8 module only). Peak RSS is that of the whole Node process (Node alone is about 40 MiB), read as ${latency.int8.peakRssSource}: on Linux a child's \`process.resourceUsage().maxRSS\` starts at its parent's RSS (fork + execve keep the high-water mark), which here would be the spawning process's (${mib(latency.int8.rusageMaxRssKiB)}).` : 'Latency and RSS were not measured in this run.'}

## Machine
${describeMachine(r.machine)}. Load average (1/5/15 min) at start ${r.loadAverage.start.map((x) => x.toFixed(2)).join(' / ')}, at end ${r.loadAverage.end.map((x) => x.toFixed(2)).join(' / ')} — the machine is shared, so times are noisy.
Total ${(r.totalSeconds / 60).toFixed(1)} min.
${r.remeasured ? `\nThe int8 and latency/RSS figures above were measured again by \`${r.remeasured.command}\` on ${describeMachine(r.remeasured.machine)}, load average ${r.remeasured.loadAverage.start.map((x) => x.toFixed(2)).join(' / ')} at start, ${r.remeasured.loadAverage.end.map((x) => x.toFixed(2)).join(' / ')} at end.\n` : ''}
Reproduce with: \`${r.command}\`
`;
}
