/**
 * `tensile faces verify`: an embedder on LFW pairs (default: the 1,000 View-1 DevTest pairs) by LFW's
 * protocol — accuracy mean ± std over ten folds, each fold's threshold chosen on the other nine — with
 * ROC AUC, equal error rate and the accuracy at the embedder's own calibrated threshold; a ROC plot,
 * report.md and results.json. Each distinct photograph is embedded once.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DataError, type RawImage } from 'tensile';
import { datasets, writeFileAtomic, type FacePair } from 'tensile/node';
import { lineChart, writeChart, type SeriesPoint } from '../../report/charts.node.js';
import { commandLine, describeMachine, machineInfo } from '../../report/machine.node.js';
import { markdownTable, mean, std } from '../../report/stats.js';
import { embeddingDistance, type EmbedderKind, type FaceEmbedder } from '../embedder.js';
import { loadEmbedder } from '../load-embedder.node.js';
import { crossValidate, decisionsAt, LFW_FOLDS, verificationFolds, type FoldResult, type ScoredPair } from './folds.js';
import { areaUnderCurve, equalErrorRate, rocCurve } from './roc.js';

export const DEVTEST_PAIRS = 'pairsDevTest.txt';
/** Photographs decoded at a time: the embedder batches within; this bounds the decoded pixels held at once. */
const DECODE_CHUNK = 64;

export interface VerifySettings {
  readonly embedder: EmbedderKind;
  /** Model file, for embedders trained here. */
  readonly model?: string;
  readonly out: string;
  /** A pairs file in LFW's format whose photographs are in the LFW subset; default the DevTest pairs. */
  readonly pairs?: string;
}

export interface MeanStd {
  readonly mean: number;
  readonly std: number;
}

export interface VerificationResults {
  readonly embedder: EmbedderKind;
  readonly model?: string;
  readonly pairsFile: string;
  readonly pairs: number;
  readonly samePairs: number;
  readonly differentPairs: number;
  readonly photos: number;
  /** Ten-fold cross-validated accuracy, each fold's threshold chosen on the other nine. */
  readonly accuracy: MeanStd;
  readonly folds: readonly FoldResult[];
  readonly auc: number;
  readonly equalErrorRate: number;
  /** Distance at the equal error rate. */
  readonly equalErrorDistance: number;
  /** The embedder's own threshold, calibrated when it was made (never on these pairs). */
  readonly calibrated: {
    readonly threshold: number;
    readonly accuracy: MeanStd;
    readonly sameAccuracy: number;
    readonly differentAccuracy: number;
  };
  readonly embedSeconds: number;
  readonly totalSeconds: number;
  readonly machine: string;
  readonly command: string;
}

const meanStd = (values: readonly number[]): MeanStd => ({ mean: mean(values), std: std(values) });

/** One embedding per distinct photograph of the pairs, in chunks. */
async function embedPhotos(
  embedder: FaceEmbedder,
  paths: readonly string[],
  decode: (imagePath: string) => RawImage,
  log: (line: string) => void,
): Promise<Map<string, Float32Array>> {
  const embeddings = new Map<string, Float32Array>();
  for (let start = 0; start < paths.length; start += DECODE_CHUNK) {
    const chunk = paths.slice(start, start + DECODE_CHUNK);
    const vectors = await embedder.embed(chunk.map(decode));
    chunk.forEach((p, i) => embeddings.set(p, vectors[i]!));
    log(`embedded ${embeddings.size}/${paths.length} photos`);
  }
  return embeddings;
}

export async function verifyEmbedder(settings: VerifySettings, log: (line: string) => void): Promise<VerificationResults> {
  const started = performance.now();
  const lfw = await datasets.lfw();
  const pairs: readonly FacePair[] = settings.pairs === undefined ? lfw.devTestPairs : await lfw.readPairs(settings.pairs);
  const pairsFile = settings.pairs ?? DEVTEST_PAIRS;
  const samePairs = pairs.filter((p) => p.same).length;
  if (samePairs < LFW_FOLDS || pairs.length - samePairs < LFW_FOLDS) {
    throw new DataError(pairsFile, `has ${samePairs} same-person and ${pairs.length - samePairs} different-person pairs; ${LFW_FOLDS}-fold cross-validation needs at least ${LFW_FOLDS} of each`);
  }
  const embedder = await loadEmbedder(settings.embedder, { model: settings.model });
  const photos = [...new Set(pairs.flatMap((p) => [p.first, p.second]))];
  const embedStarted = performance.now();
  const embeddings = await embedPhotos(embedder, photos, (p) => lfw.decode(p), log);
  const embedSeconds = (performance.now() - embedStarted) / 1000;

  const scored: ScoredPair[] = pairs.map((p) => ({ distance: embeddingDistance(embeddings.get(p.first)!, embeddings.get(p.second)!), same: p.same }));
  const folds = crossValidate(scored);
  const foldOf = verificationFolds(scored);
  const curve = rocCurve(scored);
  const eer = equalErrorRate(curve);
  const overall = decisionsAt(scored, embedder.threshold);
  const calibratedByFold = Array.from({ length: LFW_FOLDS }, (_, k) => decisionsAt(scored.filter((_, i) => foldOf[i] === k), embedder.threshold).accuracy);

  await fs.mkdir(settings.out, { recursive: true });
  const results: VerificationResults = {
    embedder: embedder.kind,
    ...(settings.model === undefined ? {} : { model: settings.model }),
    pairsFile,
    pairs: pairs.length,
    samePairs,
    differentPairs: pairs.length - samePairs,
    photos: photos.length,
    accuracy: meanStd(folds.map((f) => f.accuracy)),
    folds,
    auc: areaUnderCurve(curve),
    equalErrorRate: eer.rate,
    equalErrorDistance: eer.distance,
    calibrated: { threshold: embedder.threshold, accuracy: meanStd(calibratedByFold), sameAccuracy: overall.sameAccuracy, differentAccuracy: overall.differentAccuracy },
    embedSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    machine: describeMachine(machineInfo()),
    command: commandLine(),
  };
  const rocPoints: SeriesPoint[] = [
    ...curve.map((p) => ({ series: embedder.kind, x: p.falseAcceptRate, y: p.trueAcceptRate })),
    { series: 'chance', x: 0, y: 0 },
    { series: 'chance', x: 1, y: 1 },
  ];
  await writeChart(
    lineChart(rocPoints, {
      title: `LFW verification, ${pairs.length} pairs of ${path.basename(pairsFile)}: ROC (AUC ${results.auc.toFixed(4)}, EER ${percent(results.equalErrorRate)})`,
      x: 'false accept rate (different-person pairs called same)',
      y: 'true accept rate (same-person pairs called same)',
      xDomain: [0, 1],
      yDomain: [0, 1],
      markPoints: false,
    }),
    path.join(settings.out, 'roc'),
  );
  await writeFileAtomic(path.join(settings.out, 'results.json'), new TextEncoder().encode(`${JSON.stringify(results, null, 2)}\n`));
  await writeFileAtomic(path.join(settings.out, 'report.md'), new TextEncoder().encode(reportText(results)));
  return results;
}

const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;
const percentMeanStd = (s: MeanStd): string => `${(100 * s.mean).toFixed(2)} ± ${(100 * s.std).toFixed(2)}%`;

function reportText(r: VerificationResults): string {
  const rows = r.folds.map((f) => [String(f.fold), String(f.pairs), f.threshold.toFixed(4), percent(f.trainAccuracy), percent(f.accuracy), percent(f.sameAccuracy), percent(f.differentAccuracy)]);
  return `# LFW face verification: ${r.embedder} embedder

${r.pairs} pairs of \`${r.pairsFile}\` (${r.samePairs} same person, ${r.differentPairs} different people; ${r.photos} photographs, each embedded once)${r.model === undefined ? '' : `, model \`${r.model}\``}.
A pair is called "same person" when the Euclidean distance between its two unit embeddings is below the threshold.

Protocol (LFW's): ${LFW_FOLDS} folds, fold k holding the k-th tenth of the same-person pairs and the k-th tenth of the
different-person pairs in file order; for each fold, the threshold of highest accuracy on the other nine folds
(midway between neighbouring distances) decides the fold's pairs.

| metric | value |
|---|---|
| accuracy, ${LFW_FOLDS}-fold cross-validated (mean ± std over folds) | **${percentMeanStd(r.accuracy)}** |
| ROC AUC (all pairs) | ${r.auc.toFixed(4)} |
| equal error rate (all pairs) | ${percent(r.equalErrorRate)} at distance ${r.equalErrorDistance.toFixed(4)} |
| accuracy at the embedder's calibrated threshold ${r.calibrated.threshold.toFixed(4)} (mean ± std over folds) | ${percentMeanStd(r.calibrated.accuracy)} |
| … same-person pairs accepted / different-person pairs rejected there | ${percent(r.calibrated.sameAccuracy)} / ${percent(r.calibrated.differentAccuracy)} |
| time: embedding ${r.photos} photographs / whole run | ${r.embedSeconds.toFixed(1)} s / ${r.totalSeconds.toFixed(1)} s |

${markdownTable(['fold', 'pairs', 'threshold (other folds)', 'accuracy on other folds', 'accuracy', 'same accepted', 'different rejected'], rows)}

![ROC curve](roc.png)

The calibrated threshold was set when the embedder was made, without these pairs. Every run ever scored on
the LFW DevTest pairs is listed in the faces notes (docs/faces/NOTES.md, docs/faces/face-api-NOTES.md).

Machine: ${r.machine}

Reproduce: \`${r.command}\`
`;
}
