/**
 * Accuracy of the access-control service as deployed (the faces report): the service's own code —
 * decoding, the face pipeline (face-api; with the service's detector unless `--detector none`), the
 * gallery and the default policy — on LFW's DevTest images, which took no part in calibrating the
 * threshold or the allow distance (those used the identity-training people). Every DevTest person with
 * two or more images is enrolled from their lowest-numbered image (its largest face, as the service
 * enrols); their other images are the genuine probes. Every person with a single image is a stranger.
 * A probe is scored by the face nearest the photograph's centre (LFW's subject); photographs where the
 * detector finds no face are counted as such (a genuine one is then not allowed).
 *
 *   node packages/tensile-cli/build/bench/faces-service-accuracy.js [--out results.json] [--detector NAME|none] [--min-face PX]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lfw, setDataRoot } from 'tensile/node';
import { FaceService } from '../src/apps/faces/service/face-service.node.js';
import { loadFacePipeline } from '../src/apps/faces/load-face-pipeline.node.js';
import { DEFAULT_UPLOAD_LIMITS } from '../src/apps/faces/service/uploads.js';
import { centralFace } from '../src/apps/faces/face-pipeline.js';
import { HttpError } from '../src/apps/faces/service/http-error.js';
import { LFW_PHOTO_SIDE } from '../src/apps/faces/trained/face-chip.js';
import { benchOption, benchPipelineSpec } from './faces-service-spec.js';

const dataRoot = process.env.TENSILE_DATA ?? path.resolve(fileURLToPath(new URL('../../../..', import.meta.url)), '..', 'shared/datasets');
const out = benchOption('--out');
const spec = benchPipelineSpec();

setDataRoot(dataRoot);
const data = await lfw();
const byPerson = new Map<string, string[]>();
for (const image of new Set(data.devTestPairs.flatMap((pair) => [pair.first, pair.second]))) {
  const name = image.split('/')[0]!;
  byPerson.set(name, [...(byPerson.get(name) ?? []), image]);
}
const enrolled = [...byPerson].filter(([, images]) => images.length >= 2).map(([name, images]) => ({ name, images: images.sort() }));
const strangers = [...byPerson].filter(([, images]) => images.length === 1).map(([, images]) => images[0]!);

const dir = mkdtempSync(path.join(os.tmpdir(), 'tensile-faces-accuracy-'));
const service = await FaceService.open(path.join(dir, 'faces.db'), await loadFacePipeline(spec), DEFAULT_UPLOAD_LIMITS);
try {
  const ids = new Map<number, string>();
  let enrolmentsWithoutFace = 0;
  for (const person of enrolled) {
    try {
      ids.set((await service.enrol(person.name, [data.images.get(person.images[0]!)!])).id, person.name);
    } catch (error) {
      if (!(error instanceof HttpError && error.code === 'no-face')) throw error;
      enrolmentsWithoutFace++;
    }
  }
  const subject = async (image: string): Promise<Awaited<ReturnType<typeof service.identify>>[number] | undefined> =>
    centralFace(await service.identify(data.images.get(image)!, 'accuracy'), LFW_PHOTO_SIDE, LFW_PHOTO_SIDE);

  const genuine = { probes: 0, correctAllow: 0, wrongPersonAllow: 0, notAllowed: 0, review: 0, deny: 0, noFace: 0 };
  for (const person of enrolled) {
    for (const image of person.images.slice(1)) {
      const face = await subject(image);
      genuine.probes++;
      if (face?.decision === 'allow') {
        if (ids.get(face.nearest!.personId) === person.name) genuine.correctAllow++;
        else genuine.wrongPersonAllow++;
      } else {
        genuine.notAllowed++;
        if (face === undefined) genuine.noFace++;
        else genuine[face.decision]++;
      }
    }
  }
  const stranger = { probes: 0, allow: 0, review: 0, deny: 0, noFace: 0 };
  for (const image of strangers) {
    const face = await subject(image);
    stranger.probes++;
    if (face === undefined) stranger.noFace++;
    else stranger[face.decision]++;
  }
  const rate = (n: number, d: number): number => Math.round((1e4 * n) / d) / 100;
  const report = {
    embedder: service.pipeline.embedder,
    policy: service.policy,
    allowDistance: service.allowDistanceNow,
    pipeline: spec,
    enrolledPeople: enrolled.length - enrolmentsWithoutFace,
    enrolmentsWithoutFace,
    genuine,
    stranger,
    percent: {
      correctAllow: rate(genuine.correctAllow, genuine.probes),
      falseDeny: rate(genuine.notAllowed, genuine.probes),
      wrongPersonAllow: rate(genuine.wrongPersonAllow, genuine.probes),
      strangerFalseAllow: rate(stranger.allow, stranger.probes),
    },
  };
  const text = `${JSON.stringify(report, null, 2)}\n`;
  process.stdout.write(text);
  if (out !== undefined) writeFileSync(out, text);
} finally {
  service.close();
  rmSync(dir, { recursive: true, force: true });
}
