/** The trained embedder's data path: the centre crop, per-person balanced epochs, the people split and the held-out verification figures. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Generator, RawImage } from 'tensile';
import { centredFaceChip, faceChip, FACE_FRACTION, LFW_FACE_SIDE } from '../../src/apps/faces/trained/face-chip.js';
import { balancedEpoch, groupByPerson, type LabelledFile, splitPeople } from '../../src/apps/faces/trained/sampling.js';
import { balancedAccuracyAt, heldOutVerification } from '../../src/apps/faces/trained/validation.js';

/** `count` images for each person, person p's count given by counts[p]. */
const filesOf = (counts: readonly number[]): LabelledFile[] => counts.flatMap((n, label) => Array.from({ length: n }, (_, i) => ({ path: `p${label}/${i}.jpg`, label })));

describe('trained embedder: data path', () => {
  it('crops the 110×110 square at pixel (128, 128) of an LFW photograph: the same pixels as the centre of its 160×160 training crop', () => {
    // A 250×250 gray photo, white inside the 110×110 square centred at (128, 128), black outside.
    const inSquare = (i: number): boolean => Math.abs((i % 250) + 0.5 - 128) < 55 && Math.abs(Math.floor(i / 250) + 0.5 - 128) < 55;
    const photo = new RawImage(Uint8Array.from({ length: 250 * 250 }, (_, i) => (inSquare(i) ? 200 + (i % 7) : i % 50)), 250, 250, 1);
    const chip = centredFaceChip(photo, 96);
    assert.deepEqual([chip.width, chip.height, chip.channels], [96, 96, 3]);
    assert.ok(chip.data.every((v) => v >= 195), 'the chip is the square, edge to edge');
    assert.equal(FACE_FRACTION, 0.44);
    // The training images are rows and columns 48–207 of the photograph: their centred square is the same chip.
    const crop = new RawImage(Uint8Array.from({ length: 160 * 160 }, (_, i) => photo.data[(Math.floor(i / 160) + 48) * 250 + (i % 160) + 48]!), 160, 160, 1);
    // Equal up to the rounding of bilinear samples (128/250·250 is not exactly 128 in floating point).
    const fromCrop = faceChip(crop, LFW_FACE_SIDE, 96).data;
    const fromPhoto = chip.data.filter((_, i) => i % 3 === 0);
    assert.ok(fromCrop.every((v, i) => Math.abs(v - fromPhoto[i]!) <= 1), 'the same square');
    // 3 pixels off (the photograph's own centre) is a different square.
    const offCentre = faceChip(photo, LFW_FACE_SIDE, 96).data;
    assert.ok(offCentre.some((v, i) => Math.abs(v - fromPhoto[i]!) > 20));
    const jittered = faceChip(photo, LFW_FACE_SIDE, 96, { generator: new Generator(3), amount: { scale: 0.08, shift: 0.06 } });
    assert.notDeepEqual(jittered.data, faceChip(photo, LFW_FACE_SIDE, 96).data);
  });

  it('an epoch takes at most `cap` images of each person, every person, each image once', () => {
    const byPerson = groupByPerson(filesOf([530, 3, 2, 25]));
    const epoch = balancedEpoch(byPerson, 20, new Generator(1));
    const perPerson = [0, 0, 0, 0];
    for (const f of epoch) perPerson[f.label]!++;
    assert.deepEqual(perPerson, [20, 3, 2, 20]);
    assert.equal(new Set(epoch.map((f) => f.path)).size, epoch.length);
    assert.notDeepEqual(balancedEpoch(byPerson, 20, new Generator(2)).filter((f) => f.label === 0).map((f) => f.path).sort(), epoch.filter((f) => f.label === 0).map((f) => f.path).sort());
  });

  it('holds out whole people with 2–30 images and renumbers the training labels 0 … classes−1', () => {
    const files = filesOf([530, 3, 2, 25, 1, 4, 40, 2]);
    const split = splitPeople(files, 3, 7);
    const held = new Set(split.validation.map((f) => f.label));
    assert.equal(held.size, 3);
    for (const label of held) assert.ok([1, 2, 3, 5, 7].includes(label), `person ${label} has 2–30 images`);
    assert.equal(split.classes, 5);
    assert.deepEqual([...new Set(split.train.map((f) => f.label))].sort(), [0, 1, 2, 3, 4]);
    assert.equal(split.train.length + split.validation.length, files.length);
    assert.equal(splitPeople(files, 5, 7).classes, 3);
    assert.throws(() => splitPeople(files, 6, 7), /cannot hold out 6 people, only 5 have 2–30 images/);
  });

  it('scores pairs by balanced accuracy, and cross-validates the threshold across halves of the people', () => {
    const e = (x: number): Float32Array => Float32Array.from([Math.cos(x), Math.sin(x)]);
    // Four people, two photos each, each person's photos close together, people far apart.
    const embeddings = [0, 0.1, 1.5, 1.6, 3, 3.1, 4.5, 4.6].map(e);
    const labels = [0, 0, 1, 1, 2, 2, 3, 3];
    assert.equal(balancedAccuracyAt(embeddings, labels, 0.5), 1);
    assert.equal(balancedAccuracyAt(embeddings, labels, 0.01), 0.5);
    const result = heldOutVerification(embeddings, labels);
    assert.equal(result.crossValidatedAccuracy, 1);
    assert.ok(result.calibration.threshold > 0.1 && result.calibration.threshold < 1.3);
  });
});
