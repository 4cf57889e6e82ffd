/**
 * `tensile faces evaluate-detector`: each trained detector on the CMU+MIT photographs (130 photos, 511
 * head boxes): AP at IoU ≥ 0.5 and ≥ 0.3 (VOC style, pooled, greedy), recall at one false positive per
 * photo, detection time; mean ± std over the models (seeds); a precision–recall plot, a grid of
 * detections (the 13 photos without faces included), report.md and results.json.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { groupBoxesByImage, RawImage, resize, type Detection, type Rect } from 'tensile';
import { datasets, writeFileAtomic } from 'tensile/node';
import { lineChart, writeChart, type SeriesPoint } from '../../report/charts.node.js';
import { writeImageGrid } from '../../report/image-grid.node.js';
import { commandLine, describeMachine, machineInfo } from '../../report/machine.node.js';
import { markdownTable, mean, std } from '../../report/stats.js';
import { averagePrecision, matchDetections, precisionRecall, recallAtFalsePositives, type PhotoResult } from './average-precision.js';
import { DETECTION_COLOR, drawBoxes, TRUTH_COLOR } from './draw.js';
import { FaceDetector } from './model-file.node.js';
import { readPhoto } from './photos.node.js';
import { SCORE_FLOOR } from './training.node.js';

/** Smallest face searched for: the README's smallest head box is 28 px, so the 36-px window is upsampled 1.5×. */
export const EVALUATION_MIN_SIZE = 24;
const GRID_FACE_PHOTOS = 11;
const PR_POINTS = 200;

export interface EvaluateSettings {
  /** Model names or paths, one per seed. */
  readonly models: readonly string[];
  readonly out: string;
  /** Evaluate only the first photographs (tests). */
  readonly limit?: number;
}

export interface ModelScores {
  readonly model: string;
  readonly seed: number;
  readonly ap50: number;
  readonly ap30: number;
  readonly recallAt1Fppi: number;
  readonly msPerPhoto: number;
  readonly detections: number;
}

export interface EvaluationResults {
  readonly photos: number;
  readonly faces: number;
  readonly minSize: number;
  readonly models: readonly ModelScores[];
  readonly summary: Readonly<Record<'ap50' | 'ap30' | 'recallAt1Fppi' | 'msPerPhoto', { mean: number; std: number }>>;
  readonly machine: string;
  readonly command: string;
}

/** 1-based inclusive MATLAB box corners → 0-based top-left and size. */
function toRect(box: { x1: number; y1: number; x2: number; y2: number }): Rect {
  return { x: box.x1 - 1, y: box.y1 - 1, width: box.x2 - box.x1 + 1, height: box.y2 - box.y1 + 1 };
}

/** Grid pictures are stored at the cell size (the SVG embeds them; bigger ones made it 8 MB). */
const GRID_CELL = 220;

/** The photo centred on a square canvas, so the grid shows it undistorted, shrunk for the grid. */
function squared(image: RawImage): RawImage {
  const side = Math.max(image.width, image.height);
  const out = new Uint8Array(side * side * 3).fill(255);
  const left = Math.floor((side - image.width) / 2);
  const top = Math.floor((side - image.height) / 2);
  for (let y = 0; y < image.height; y++) out.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((top + y) * side + left) * 3);
  const square = new RawImage(out, side, side, 3);
  return side > GRID_CELL ? resize(square, GRID_CELL, GRID_CELL, 'area') : square;
}

export async function evaluateDetectors(settings: EvaluateSettings, log: (line: string) => void): Promise<EvaluationResults> {
  const { test } = await datasets.faceDetection();
  const truthByImage = groupBoxesByImage(test.boxes);
  const files = test.images.slice(0, settings.limit);
  const photos = await Promise.all(files.map(async (file) => ({ name: path.basename(file), image: await readPhoto(file) })));
  const truth = photos.map((p) => (truthByImage.get(p.name) ?? []).map(toRect));
  const detectors = await Promise.all(settings.models.map((m) => FaceDetector.load(m)));
  const scores: ModelScores[] = [];
  const curves: SeriesPoint[] = [];
  let firstDetections: Detection[][] = [];
  for (const [k, detector] of detectors.entries()) {
    const started = performance.now();
    const detections = photos.map((p) => detector.detect(p.image, { minSize: EVALUATION_MIN_SIZE, threshold: SCORE_FLOOR }));
    const msPerPhoto = (performance.now() - started) / photos.length;
    if (k === 0) firstDetections = detections;
    const results: PhotoResult[] = photos.map((_, i) => ({ truth: truth[i]!, detections: detections[i]! }));
    const at50 = matchDetections(results, 0.5);
    const s: ModelScores = {
      model: settings.models[k]!,
      seed: detector.config.seed,
      ap50: averagePrecision(at50),
      ap30: averagePrecision(matchDetections(results, 0.3)),
      recallAt1Fppi: recallAtFalsePositives(at50, 1),
      msPerPhoto,
      detections: at50.scores.length,
    };
    scores.push(s);
    log(`${s.model}: AP@0.5 ${s.ap50.toFixed(4)}, AP@0.3 ${s.ap30.toFixed(4)}, recall at 1 FP/photo ${s.recallAt1Fppi.toFixed(4)}, ${msPerPhoto.toFixed(0)} ms/photo`);
    const curve = precisionRecall(at50);
    const every = Math.max(1, Math.floor(curve.length / PR_POINTS));
    curve.filter((_, i) => i % every === 0 || i === curve.length - 1).forEach((p) => curves.push({ series: `seed ${s.seed}`, x: p.recall, y: p.precision }));
  }
  await fs.mkdir(settings.out, { recursive: true });
  const summaryOf = (key: 'ap50' | 'ap30' | 'recallAt1Fppi' | 'msPerPhoto') => ({ mean: mean(scores.map((s) => s[key])), std: std(scores.map((s) => s[key])) });
  const results: EvaluationResults = {
    photos: photos.length,
    faces: truth.reduce((n, t) => n + t.length, 0),
    minSize: EVALUATION_MIN_SIZE,
    models: scores,
    summary: { ap50: summaryOf('ap50'), ap30: summaryOf('ap30'), recallAt1Fppi: summaryOf('recallAt1Fppi'), msPerPhoto: summaryOf('msPerPhoto') },
    machine: describeMachine(machineInfo()),
    command: commandLine(),
  };
  await writeChart(lineChart(curves, { title: 'Face detection on CMU+MIT: precision–recall at IoU ≥ 0.5', x: 'recall', y: 'precision', yDomain: [0, 1] }), path.join(settings.out, 'detector-pr'));
  const first = detectors[0]!;
  const noFace = photos.flatMap((_, i) => (truth[i]!.length === 0 ? [i] : []));
  const withFaces = photos.flatMap((_, i) => (truth[i]!.length > 0 ? [i] : [])).slice(0, GRID_FACE_PHOTOS);
  const cells = [...withFaces, ...noFace].map((i) => {
    const kept = firstDetections[i]!.filter((d) => d.score >= first.config.threshold);
    return {
      image: squared(drawBoxes(photos[i]!.image, [{ boxes: truth[i]!, color: TRUTH_COLOR }, { boxes: kept, color: DETECTION_COLOR }], 3)),
      caption: `${photos[i]!.name}\n${kept.length} detected, ${truth[i]!.length} true`,
    };
  });
  await writeImageGrid(cells, path.join(settings.out, 'detector-grid'), { columns: 6, cellSize: GRID_CELL, title: `seed ${first.config.seed} at its threshold ${first.config.threshold.toFixed(2)}: green detections, red true head boxes` });
  await writeFileAtomic(path.join(settings.out, 'detector-results.json'), new TextEncoder().encode(`${JSON.stringify(results, null, 2)}\n`));
  await writeFileAtomic(path.join(settings.out, 'detector-report.md'), new TextEncoder().encode(reportText(results)));
  return results;
}

const meanStd = (s: { mean: number; std: number }, digits = 4): string => `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}`;

function reportText(r: EvaluationResults): string {
  const rows = r.models.map((m) => [m.model, String(m.seed), m.ap50.toFixed(4), m.ap30.toFixed(4), m.recallAt1Fppi.toFixed(4), m.msPerPhoto.toFixed(0), String(m.detections)]);
  return `# Face detector on CMU+MIT (HOG + linear SVM)

${r.photos} photographs, ${r.faces} head boxes (\`ground_truth_bboxes.txt\`); faces searched from ${r.minSize} px up;
every detection scoring ≥ ${SCORE_FLOOR} is ranked (VOC-style AP: pooled over photos, greedy matching, duplicates are false positives).

| metric | mean ± std over ${r.models.length} seeds |
|---|---|
| AP at IoU ≥ 0.5 | ${meanStd(r.summary.ap50)} |
| AP at IoU ≥ 0.3 | ${meanStd(r.summary.ap30)} |
| recall at IoU ≥ 0.5 and 1 false positive per photo | ${meanStd(r.summary.recallAt1Fppi)} |
| detection time per photo (ms, this run, min size ${r.minSize}) | ${meanStd(r.summary.msPerPhoto, 0)} |

${markdownTable(['model', 'seed', 'AP@0.5', 'AP@0.3', 'recall @1 FP/photo', 'ms/photo', 'detections'], rows)}

![precision–recall](detector-pr.png)

![detections](detector-grid.png)

Every run ever scored on these photographs is listed in [NOTES.md](NOTES.md) (detector section).

Machine: ${r.machine}

Reproduce: \`${r.command}\`
`;
}
