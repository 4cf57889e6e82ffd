/**
 * Do faces the detector finds embed like the centred photographs the face-api embedder was made for?
 * (docs/faces/service.md, "Detector".) On LFW identity-training photographs (`faces-lfw-train`, put back
 * into their LFW frame; never DevTest), the distance from the centred photograph's embedding (two landmark
 * passes, the service without a detector) to the embedding of the detected face (the largest box holding
 * the frame's centre) by the service's one-pass path (`embedFaces`), and by two passes on the box framed the
 * LFW way (`lfwFrameOf`). On CMU+MIT photographs (gray, several faces each), where there is no centred
 * photograph, the one-pass embedding of each detected face against the two-pass embedding of the same box
 * LFW-framed; only detections overlapping a true head box (IoU ≥ 0.3) count. Distances are between unit
 * embeddings; the match threshold is 0.4301.
 *
 *   TENSILE_THREADS=1 node packages/tensile-cli/build/bench/faces-detector-framing.js [--photos 40] [--detector detector-seed1] [--min-face 60]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupBoxesByImage, intersectionOverUnion, type Rect } from 'tensile';
import { datasets, lfwTrain, setDataRoot } from 'tensile/node';
import { embeddingDistance } from '../src/apps/faces/embedder.js';
import { FaceDetector } from '../src/apps/faces/detector/model-file.node.js';
import { readPhoto } from '../src/apps/faces/detector/photos.node.js';
import { loadFaceApiEmbedder } from '../src/apps/faces/face-api/face-api-embedder.node.js';
import { lfwFrameOf, lfwTrainPhoto } from '../src/apps/faces/lfw-frame.js';
import { DEFAULT_MIN_FACE, DEFAULT_FACE_DETECTOR } from '../src/apps/faces/load-face-pipeline.node.js';
import { benchOption } from './faces-service-spec.js';

const dataRoot = process.env.TENSILE_DATA ?? path.resolve(fileURLToPath(new URL('../../../..', import.meta.url)), '..', 'shared/datasets');
const photos = Number(benchOption('--photos') ?? '40');
const minSize = Number(benchOption('--min-face') ?? DEFAULT_MIN_FACE);
setDataRoot(dataRoot);
const detector = await FaceDetector.load(benchOption('--detector') ?? DEFAULT_FACE_DETECTOR);
const embedder = await loadFaceApiEmbedder();

function summary(distances: readonly number[]): { faces: number; median: number; p90: number; max: number } {
  const sorted = [...distances].sort((a, b) => a - b);
  const at = (q: number): number => Math.round(1e4 * (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN)) / 1e4;
  return { faces: sorted.length, median: at(0.5), p90: at(0.9), max: at(1) };
}

const train = await lfwTrain();
const lfwFiles = train.files.filter((_, i) => i % 97 === 0).slice(0, photos);
const onePass: number[] = [];
const twoPassFramed: number[] = [];
let lfwWithoutFace = 0;
for (const file of lfwFiles) {
  const photo = lfwTrainPhoto(train.decode(file.path));
  const box = detector.detect(photo, { minSize }).filter((b) => b.x < 125 && b.y < 125 && b.x + b.width > 125 && b.y + b.height > 125).sort((a, b) => b.width - a.width)[0];
  if (box === undefined) {
    lfwWithoutFace++;
    continue;
  }
  const [centred] = await embedder.embed([photo]);
  const [detected] = await embedder.embedFaces([{ photo, box }]);
  const [framed] = await embedder.embed([lfwFrameOf(photo, box)]);
  onePass.push(embeddingDistance(centred!, detected!));
  twoPassFramed.push(embeddingDistance(centred!, framed!));
}

const { test } = await datasets.faceDetection();
const truth = groupBoxesByImage(test.boxes);
const cmuOnePass: number[] = [];
let cmuPhotos = 0;
for (const file of test.images) {
  if (cmuPhotos >= photos) break;
  const heads: Rect[] = (truth.get(path.basename(file)) ?? []).map((b) => ({ x: b.x1 - 1, y: b.y1 - 1, width: b.x2 - b.x1 + 1, height: b.y2 - b.y1 + 1 }));
  const photo = await readPhoto(file);
  const faces = detector.detect(photo, { minSize }).filter((d) => heads.some((h) => intersectionOverUnion(d, h) >= 0.3));
  if (faces.length === 0) continue;
  cmuPhotos++;
  const detected = await embedder.embedFaces(faces.map((box) => ({ photo, box })));
  const framed = await embedder.embed(faces.map((box) => lfwFrameOf(photo, box)));
  detected.forEach((e, i) => cmuOnePass.push(embeddingDistance(e, framed[i]!)));
}

process.stdout.write(`${JSON.stringify({
  detector: benchOption('--detector') ?? DEFAULT_FACE_DETECTOR,
  minFace: minSize,
  lfwTrain: {
    photographs: lfwFiles.length,
    withoutFace: lfwWithoutFace,
    centredVsDetectedOnePass: summary(onePass),
    centredVsDetectedFramedTwoPasses: summary(twoPassFramed),
  },
  cmuMit: { photographs: cmuPhotos, detectedOnePassVsFramedTwoPasses: summary(cmuOnePass) },
}, null, 2)}\n`);
