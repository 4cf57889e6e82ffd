/**
 * Accuracy of the access-control service as deployed (the faces report): the service's own code —
 * decoding, the face-api pipeline on centred photographs, the gallery and the default policy — on LFW's
 * DevTest images, which took no part in calibrating the threshold (that used the identity-training
 * people). Every DevTest person with two or more images is enrolled from their lowest-numbered image;
 * their other images are the genuine probes. Every person with a single image is a stranger.
 *
 *   node packages/tensile-cli/build/bench/faces-service-accuracy.js [--out results.json]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lfw, setDataRoot } from 'tensile/node';
import { FaceService } from '../src/apps/faces/service/face-service.node.js';
import { loadServicePipeline } from '../src/apps/faces/service/service-pipeline.node.js';
import { DEFAULT_UPLOAD_LIMITS } from '../src/apps/faces/service/uploads.js';

const dataRoot = process.env.TENSILE_DATA ?? path.resolve(fileURLToPath(new URL('../../../..', import.meta.url)), '..', 'shared/datasets');
const outIndex = process.argv.indexOf('--out');
const out = outIndex >= 0 ? process.argv[outIndex + 1] : undefined;

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
const service = await FaceService.open(path.join(dir, 'faces.db'), await loadServicePipeline('face-api'), DEFAULT_UPLOAD_LIMITS);
try {
  const ids = new Map<number, string>();
  for (const person of enrolled) ids.set((await service.enrol(person.name, [data.images.get(person.images[0]!)!])).id, person.name);

  const genuine = { probes: 0, correctAllow: 0, wrongPersonAllow: 0, notAllowed: 0, review: 0, deny: 0 };
  for (const person of enrolled) {
    for (const image of person.images.slice(1)) {
      const [face] = await service.identify(data.images.get(image)!, 'accuracy');
      genuine.probes++;
      if (face!.decision === 'allow') {
        if (ids.get(face!.nearest!.personId) === person.name) genuine.correctAllow++;
        else genuine.wrongPersonAllow++;
      } else {
        genuine.notAllowed++;
        genuine[face!.decision]++;
      }
    }
  }
  const stranger = { probes: 0, allow: 0, review: 0, deny: 0 };
  for (const image of strangers) {
    const [face] = await service.identify(data.images.get(image)!, 'accuracy');
    stranger.probes++;
    stranger[face!.decision]++;
  }
  const rate = (n: number, d: number): number => Math.round((1e4 * n) / d) / 100;
  const report = {
    embedder: service.pipeline.embedder,
    policy: service.policy,
    allowDistance: service.allowDistanceNow,
    enrolledPeople: enrolled.length,
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
