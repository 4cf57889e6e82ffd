/**
 * Where an identification's time goes (docs/faces/service.md, "Speed"): one real 250×250 LFW photograph
 * (a DevTest image of nobody enrolled) through each stage of the service in this process, on the
 * threads TENSILE_THREADS allows (run it with TENSILE_THREADS=1 for the one-thread target), then
 * through `FaceService.identify` whole against a database of 1,000 people × 3 embeddings (random unit
 * vectors standing in for enrolled faces), with the service's pipeline (the detector, `--detector` as
 * `tensile faces serve` reads it) and without a detector (centred photographs), and the transaction that
 * logs a decision with its crop. Medians over --repeats runs after two warm-up runs (the whole call also
 * in CPU time). Also times the
 * JPEG encoding (jpeg-js) the face crops had before they were stored as PNG.
 *
 *   TENSILE_THREADS=1 node packages/tensile-cli/build/bench/faces-identify-stages.js [--repeats 30] [--detector NAME|none] [--min-face PX]
 */
import jpeg from 'jpeg-js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crop, RawImage } from 'tensile';
import { lfw, setDataRoot } from 'tensile/node';
import { alignFace } from '../src/apps/faces/alignment.js';
import { encodePng } from '../src/apps/report/image-grid.node.js';
import { loadFaceApiEmbedder } from '../src/apps/faces/face-api/face-api-embedder.node.js';
import { FaceDatabase } from '../src/apps/faces/service/database.node.js';
import { centreBox, embedderPipeline } from '../src/apps/faces/embedder-pipeline.js';
import { FaceService } from '../src/apps/faces/service/face-service.node.js';
import { Gallery } from '../src/apps/faces/service/gallery.js';
import { contentName } from '../src/apps/faces/service/store-files.node.js';
import { decodePhoto, DEFAULT_UPLOAD_LIMITS } from '../src/apps/faces/service/uploads.js';
import { FaceDetector } from '../src/apps/faces/detector/model-file.node.js';
import type { FacePipeline } from '../src/apps/faces/face-pipeline.js';
import { loadFacePipeline } from '../src/apps/faces/load-face-pipeline.node.js';
import { benchOption, benchPipelineSpec } from './faces-service-spec.js';

const dataRoot = process.env.TENSILE_DATA ?? path.resolve(fileURLToPath(new URL('../../../..', import.meta.url)), '..', 'shared/datasets');
const repeats = Number(benchOption('--repeats') ?? '30');
const spec = benchPipelineSpec();
const PEOPLE = 1000;
const PER_PERSON = 3;

/**
 * Medians over `repeats` runs after two warm-up runs: wall time, and the process's CPU time (every
 * thread: GC helpers and file I/O included), which other jobs on a busy machine inflate far less.
 */
async function medianTimes(run: () => unknown): Promise<{ wallMs: number; cpuMs: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats + 2; i++) {
    const startCpu = process.cpuUsage();
    const start = performance.now();
    await run();
    const end = performance.now();
    const used = process.cpuUsage(startCpu);
    if (i >= 2) {
      wall.push(end - start);
      cpu.push((used.user + used.system) / 1000);
    }
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

async function medianMs(run: () => unknown): Promise<number> {
  return (await medianTimes(run)).wallMs;
}

function randomUnit(size: number): Float32Array {
  const v = Float32Array.from({ length: size }, () => Math.random() - 0.5);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

setDataRoot(dataRoot);
const data = await lfw();
const probe = data.devTestPairs[0]!.first;
const bytes = data.images.get(probe)!;
const embedder = await loadFaceApiEmbedder();

const photo = decodePhoto(bytes, 1, DEFAULT_UPLOAD_LIMITS);
const detector = spec.detector && { model: await FaceDetector.load(spec.detector.model), minSize: spec.detector.minFace };
const detected = detector?.model.detect(photo, { minSize: detector.minSize }) ?? [];
const landmarks = embedder.landmarks([photo]);
const chips = embedder.align([photo]);
const gallery = new Gallery(embedder.size);
for (let p = 0; p < PEOPLE; p++) for (let k = 0; k < PER_PERSON; k++) gallery.add(p, randomUnit(embedder.size));
const query = embedder.describe(chips)[0]!;
const box = centreBox(photo);
const face = crop(photo, box.x, box.y, box.width, box.height);
const faceRgba = new Uint8Array(face.width * face.height * 4).map((_, i) => (i % 4 === 3 ? 255 : face.data[3 * Math.floor(i / 4) + (i % 4)]!));

const stages = {
  decodeJpeg: await medianMs(() => decodePhoto(bytes, 1, DEFAULT_UPLOAD_LIMITS)),
  ...(detector && {
    detect: await medianMs(() => detector.model.detect(photo, { minSize: detector.minSize })),
    landmarksOfDetectedFaces: await medianMs(() => embedder.detectedLandmarks(detected.map((box) => ({ photo, box })))),
  }),
  landmarksTwoPasses: await medianMs(() => embedder.landmarks([photo])),
  align: await medianMs(() => alignFace(photo, landmarks[0]!, 150)),
  recognitionNet: await medianMs(() => embedder.describe(chips)),
  gallerySearch1000x3: await medianMs(() => gallery.nearest(query)),
  cropPng: await medianMs(() => encodePng(face)),
};
// What the crop cost before it was stored as PNG (not part of identification any more).
const cropJpegJsMs = await medianMs(() => jpeg.encode({ data: faceRgba, width: face.width, height: face.height }, 90));

/**
 * Median time of `FaceService.identify` whole with this pipeline, against PEOPLE × PER_PERSON random
 * embeddings, and of its last stage alone on the same database: the transaction that logs a decision with its crop.
 */
async function identifyMs(pipeline: FacePipeline): Promise<{ ms: number; cpuMs: number; commitMs: number; faces: number; galleryEmbeddings: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tensile-faces-stages-'));
  try {
    const dbFile = path.join(dir, 'faces.db');
    const db = new FaceDatabase(dbFile);
    const fakeFile = '0'.repeat(64);
    for (let p = 0; p < PEOPLE; p++) {
      db.enrol(`person ${p}`, pipeline.embedder, Array.from({ length: PER_PERSON }, () => ({ vector: randomUnit(embedder.size), photo: fakeFile, crop: fakeFile })));
    }
    db.close();
    const service = await FaceService.open(dbFile, pipeline, DEFAULT_UPLOAD_LIMITS);
    try {
      const faces = (await service.identify(bytes, 'stages')).length;
      // A new crop each time, as from a camera (identify below repeats one photograph, whose crop is stored once).
      const crops = Array.from({ length: repeats + 2 }, (_, i) => encodePng(new RawImage(face.data.map((v, k) => (k === 0 ? i : v)), face.width, face.height, face.channels)));
      let next = 0;
      const commitMs = await medianMs(() => {
        const png = crops[next++]!;
        return service.db.recordDecisions([{ source: 'stages', crop: contentName(png), cropImage: png, box, personId: null, personName: null, distance: null, outcome: 'review', decidedBy: null }]);
      });
      const whole = await medianTimes(() => service.identify(bytes, 'stages'));
      return { ms: whole.wallMs, cpuMs: whole.cpuMs, commitMs, faces, galleryEmbeddings: service.enrolledEmbeddings };
    } finally {
      service.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
const service = await identifyMs(await loadFacePipeline(spec));
const allStages = { ...stages, decisionCommit: service.commitMs };
// The service's pipeline adds the stages of its path: with a detector, detection and the landmarks of detected faces.
const servicePath = detector ? ['decodeJpeg', 'detect', 'landmarksOfDetectedFaces', 'align', 'recognitionNet', 'gallerySearch1000x3', 'cropPng', 'decisionCommit'] : ['decodeJpeg', 'landmarksTwoPasses', 'align', 'recognitionNet', 'gallerySearch1000x3', 'cropPng', 'decisionCommit'];
const sum = servicePath.reduce((total, stage) => total + (allStages as Record<string, number>)[stage]!, 0);
const centred = detector ? await identifyMs(embedderPipeline(embedder)) : undefined;
process.stdout.write(`${JSON.stringify({
  photo: probe,
  threads: process.env.TENSILE_THREADS ?? 'default',
  repeats,
  pipeline: spec,
  facesFound: detected.length,
  medianMs: Object.fromEntries(Object.entries(allStages).map(([k, v]) => [k, round(v)])),
  sumOfServiceStagesMs: round(sum),
  serviceIdentifyMs: round(service.ms),
  serviceIdentifyCpuMs: round(service.cpuMs),
  serviceOverheadMs: round(service.ms - sum),
  ...(centred && { withoutDetectorIdentifyMs: round(centred.ms) }),
  formerCropJpegJsMs: round(cropJpegJsMs),
  galleryEmbeddings: service.galleryEmbeddings,
  loadAverage: os.loadavg(),
}, null, 2)}\n`);
