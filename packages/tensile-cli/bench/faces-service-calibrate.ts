/**
 * Open-set calibration of the access-control service's allow distance (docs/faces/NOTES.md, "Service:
 * open-set calibration"): the service's own pipeline (face-api; the service's detector, or none: photographs framed the LFW way) on the
 * identity-training people of `faces-lfw-train` — none of them in LFW's DevTest — two images of each
 * person (the lowest-numbered two). Prints the gallery-size rule (allow distance by number of enrolled
 * embeddings) and its check on simulated galleries of those people.
 *
 *   node packages/tensile-cli/build/bench/faces-service-calibrate.js [--embeddings cache.json] [--alpha 0.01] [--out results.json] [--detector NAME|none] [--min-face PX]
 *
 * With --embeddings, the embeddings are read from that file when it exists, and written there otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lfwTrain, setDataRoot, writeFileAtomic } from 'tensile/node';
import { lfwTrainPhoto } from '../src/apps/faces/lfw-frame.js';
import { centralFace } from '../src/apps/faces/face-pipeline.js';
import { LFW_PHOTO_SIDE } from '../src/apps/faces/trained/face-chip.js';
import { calibrateOpenSet, checkOpenSet, type LabelledEmbedding } from '../src/apps/faces/open-set.js';
import { loadFacePipeline } from '../src/apps/faces/load-face-pipeline.node.js';
import { benchOption, benchPipelineSpec } from './faces-service-spec.js';

const dataRoot = process.env.TENSILE_DATA ?? path.resolve(fileURLToPath(new URL('../../../..', import.meta.url)), '..', 'shared/datasets');

const cache = benchOption('--embeddings');
const alpha = Number(benchOption('--alpha') ?? '0.01');
const out = benchOption('--out');
const spec = benchPipelineSpec();
const IMAGES_PER_PERSON = 2;
const withoutFace: string[] = [];
const BATCH = 8;

async function embedCalibrationPeople(): Promise<LabelledEmbedding[]> {
  setDataRoot(dataRoot);
  const data = await lfwTrain();
  const byPerson = new Map<number, string[]>();
  for (const file of data.files) byPerson.set(file.label, [...(byPerson.get(file.label) ?? []), file.path]);
  const chosen = [...byPerson].sort((a, b) => a[0] - b[0]).flatMap(([label, paths]) => paths.sort().slice(0, IMAGES_PER_PERSON).map((p) => ({ label, path: p })));
  const pipeline = await loadFacePipeline(spec);
  const result: LabelledEmbedding[] = [];
  const started = performance.now();
  for (let start = 0; start < chosen.length; start += BATCH) {
    const batch = chosen.slice(start, start + BATCH);
    const faces = await pipeline.analyse(batch.map((item) => lfwTrainPhoto(data.decode(item.path))));
    // With a detector, the face of a photograph is the one nearest its centre; a photograph without one is left out (and counted).
    batch.forEach((item, i) => {
      const face = centralFace(faces[i]!, LFW_PHOTO_SIDE, LFW_PHOTO_SIDE);
      if (face === undefined) withoutFace.push(item.path);
      else result.push({ person: item.label, image: item.path, embedding: face.embedding });
    });
    if (result.length % 200 < BATCH) process.stderr.write(`embedded ${result.length} / ${chosen.length} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
  return result;
}

async function embeddings(): Promise<LabelledEmbedding[]> {
  if (cache !== undefined && existsSync(cache)) {
    const stored = JSON.parse(readFileSync(cache, 'utf8')) as { person: number; image: string; embedding: number[] }[];
    return stored.map((e) => ({ ...e, embedding: Float32Array.from(e.embedding) }));
  }
  const computed = await embedCalibrationPeople();
  if (cache !== undefined) {
    await writeFileAtomic(cache, new TextEncoder().encode(JSON.stringify(computed.map((e) => ({ ...e, embedding: [...e.embedding] })))));
  }
  return computed;
}

const labelled = await embeddings();
const rule = calibrateOpenSet(labelled, { alpha });
const check = checkOpenSet(labelled, rule, { gallerySizes: [100, 300, 1000], splits: 20, seed: 1 });
const text = `${JSON.stringify({ pipeline: spec, images: labelled.length, imagesWithoutFace: withoutFace.length, people: new Set(labelled.map((e) => e.person)).size, alpha, rule, check }, null, 2)}\n`;
process.stdout.write(text);
if (out !== undefined) await writeFileAtomic(out, new TextEncoder().encode(text));
