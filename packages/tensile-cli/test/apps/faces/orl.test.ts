/** ORL identification: the perturbations, the per-person splits, enrolment and the embedder framing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RawImage } from 'tensile';
import { embedderInput } from '../../../src/apps/faces/orl/embedder-input.js';
import { accuracy, enrol, identify } from '../../../src/apps/faces/orl/enrolment.js';
import {
  adjustGamma, EYE_LINE, eyeBar, gaussianBlur, gaussianNoise, lightGradient, PERTURBATIONS, randomPatches, rescale, rotate,
} from '../../../src/apps/faces/orl/perturbations.js';
import { firstPeople, type LabeledPhotos, splitPerPerson } from '../../../src/apps/faces/orl/split.js';

const W = 20;
const H = 24;

function image(f: (x: number, y: number) => number, width = W, height = H): RawImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return new RawImage(data, width, height, 1);
}

const textured = image((x, y) => (37 * x + 11 * y * y + 5) % 256);
const at = (img: RawImage, x: number, y: number): number => img.data[y * img.width + x]!;
const meanAbsDiff = (a: RawImage, b: RawImage): number => a.data.reduce((s, v, i) => s + Math.abs(v - b.data[i]!), 0) / a.data.length;

describe('ORL perturbations', () => {
  it('gamma maps 0 and 255 to themselves and darkens mid-tones (γ 2: 128 → 64)', () => {
    const out = adjustGamma(image((x) => [0, 128, 255][x % 3]!), 2);
    assert.deepEqual([at(out, 0, 0), at(out, 1, 0), at(out, 2, 0)], [0, 64, 255]);
    assert.deepEqual(adjustGamma(textured, 1).data, textured.data);
    assert.throws(() => adjustGamma(textured, 0), /adjustGamma: gamma must be positive/);
  });

  it('the light gradient leaves the right edge lit and darkens towards the left', () => {
    const out = lightGradient(image(() => 200), 0.8);
    const row = Array.from({ length: W }, (_, x) => at(out, x, 5));
    for (let x = 1; x < W; x++) assert.ok(row[x]! >= row[x - 1]!, `column ${x} darker than column ${x - 1}`);
    assert.equal(row[W - 1], Math.round(200 * (1 - 0.8 * (0.5 / W))));
    assert.equal(row[0], Math.round(200 * (1 - 0.8 * (1 - 0.5 / W))));
    assert.deepEqual(lightGradient(textured, 0).data, textured.data);
  });

  it('the eye bar blacks out full rows around the eye line and nothing else', () => {
    const out = eyeBar(image(() => 100, W, 100), 0.1);
    const blackRows = Array.from({ length: 100 }, (_, y) => y).filter((y) => at(out, 0, y) === 0);
    assert.equal(blackRows.length, 10);
    assert.ok(blackRows[0]! <= EYE_LINE * 100 && EYE_LINE * 100 <= blackRows.at(-1)! + 1);
    for (const y of blackRows) for (let x = 0; x < W; x++) assert.equal(at(out, x, y), 0);
    assert.equal(out.data.filter((v) => v === 100).length, (100 - 10) * W);
  });

  it('random patches are seeded by the photograph, nested as the count grows, and a fifth of the width on a side', () => {
    const bright = image(() => 255, 50, 60);
    const two = randomPatches(bright, 2, 7);
    const four = randomPatches(bright, 4, 7);
    assert.deepEqual(randomPatches(bright, 2, 7).data, two.data);
    assert.notDeepEqual(randomPatches(bright, 2, 8).data, two.data);
    two.data.forEach((v, i) => {
      if (v === 0) assert.equal(four.data[i], 0, 'a patch of count 2 is missing at count 4');
    });
    const black = (img: RawImage): number => img.data.filter((v) => v === 0).length;
    assert.ok(black(two) > 0 && black(two) <= 2 * 10 * 10);
    assert.ok(black(four) > black(two) && black(four) <= 4 * 10 * 10);
    assert.deepEqual(randomPatches(bright, 0, 7).data, bright.data);
  });

  it('rotation turns counter-clockwise on screen about the centre; 0° and zoom 1 are the identity', () => {
    assert.deepEqual(rotate(textured, 0).data, textured.data);
    assert.deepEqual(rescale(textured, 1).data, textured.data);
    // A bright dot right of the centre of a 21×21 image moves above the centre.
    const dot = image((x, y) => (x === 16 && y === 10 ? 255 : 0), 21, 21);
    const turned = rotate(dot, 90);
    let brightest = 0;
    turned.data.forEach((v, i) => {
      if (v > turned.data[brightest]!) brightest = i;
    });
    assert.deepEqual([brightest % 21, Math.floor(brightest / 21)], [10, 4]);
  });

  it('zooming out keeps the centre and blacks out the border', () => {
    const out = rescale(image(() => 180, 40, 40), 0.5);
    assert.equal(at(out, 20, 20), 180);
    assert.equal(at(out, 0, 0), 0);
    assert.equal(at(out, 39, 20), 0);
    assert.equal(out.data.filter((v) => v === 180).length, 20 * 20);
  });

  it('noise is seeded, zero-mean and of the asked standard deviation', () => {
    const grey = image(() => 128, 100, 100);
    const out = gaussianNoise(grey, 20, 3);
    assert.deepEqual(gaussianNoise(grey, 20, 3).data, out.data);
    const d = Array.from(out.data, (v) => v - 128);
    const m = d.reduce((s, v) => s + v, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, v) => s + (v - m) ** 2, 0) / d.length);
    assert.ok(Math.abs(m) < 1, `mean ${m}`);
    assert.ok(Math.abs(sd - 20) < 1, `std ${sd}`);
  });

  it('blur keeps flat images flat, spreads a dot symmetrically and keeps its mass', () => {
    assert.deepEqual(gaussianBlur(image(() => 90), 2).data, image(() => 90).data);
    const dot = image((x, y) => (x === 10 && y === 10 ? 255 : 0), 21, 21);
    const out = gaussianBlur(dot, 1.5);
    assert.ok(at(out, 10, 10) < 255 && at(out, 10, 10) > 0);
    assert.equal(at(out, 8, 10), at(out, 12, 10));
    assert.equal(at(out, 10, 8), at(out, 10, 12));
    const mass = out.data.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(mass - 255) < 25, `mass ${mass}`);
    assert.deepEqual(gaussianBlur(textured, 0).data, textured.data);
  });

  it('every perturbation keeps the size and changes a photograph more at each stronger level', () => {
    const face = image((x, y) => 60 + ((x * 7 + y * 3) % 13) * 12 + (Math.abs(x - 46) < 20 && Math.abs(y - 56) < 30 ? 40 : 0), 92, 112);
    for (const p of PERTURBATIONS) {
      assert.equal(p.strengths.length, 3, p.kind);
      const changes = p.strengths.map((s) => {
        const out = p.apply(face, s, 11);
        assert.deepEqual([out.width, out.height, out.channels], [92, 112, 1], p.kind);
        return meanAbsDiff(out, face);
      });
      assert.ok(changes[0]! > 0 && changes[0]! < changes[1]! && changes[1]! < changes[2]!, `${p.kind}: ${changes.join(', ')}`);
    }
  });
});

function people(count: number, perPerson: number): LabeledPhotos {
  const labels = Array.from({ length: count * perPerson }, (_, i) => Math.floor(i / perPerson));
  return { images: labels.map((label, i) => image(() => (label * 10 + i) % 256, 2, 2)), labels, ids: labels.map((_, i) => i) };
}

describe('ORL splits', () => {
  it('holds out the asked number of every person’s photographs, disjoint from the rest, by seed', () => {
    const all = people(6, 10);
    const { kept, heldOut } = splitPerPerson(all, 5, 1);
    for (let person = 0; person < 6; person++) {
      assert.equal(kept.labels.filter((l) => l === person).length, 5);
      assert.equal(heldOut.labels.filter((l) => l === person).length, 5);
    }
    assert.deepEqual([...kept.ids, ...heldOut.ids].sort((a, b) => a - b), all.ids);
    kept.ids.forEach((id, i) => assert.equal(kept.labels[i], all.labels[id]));
    assert.deepEqual(splitPerPerson(all, 5, 1).heldOut.ids, heldOut.ids);
    assert.notDeepEqual(splitPerPerson(all, 5, 2).heldOut.ids, heldOut.ids);
    // The validation split inside a training split: one per person, none of them test photographs.
    const validation = splitPerPerson(kept, 1, 1);
    assert.equal(validation.heldOut.ids.length, 6);
    assert.equal(validation.kept.ids.length, 24);
    for (const id of validation.heldOut.ids) assert.ok(!heldOut.ids.includes(id));
  });

  it('refuses to hold out all of a person’s photographs, naming the person', () => {
    assert.throws(() => splitPerPerson(people(2, 3), 3, 1), /cannot hold out 3 of person 0's 3 photographs/);
  });

  it('slices the first people', () => {
    const slice = firstPeople(people(5, 4), 2);
    assert.deepEqual(slice.labels, [0, 0, 0, 0, 1, 1, 1, 1]);
    assert.deepEqual(slice.ids, [0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('ORL enrolment', () => {
  const unit = (...v: number[]): Float32Array => {
    const n = Math.hypot(...v);
    return Float32Array.from(v, (x) => x / n);
  };

  it('enrols a person as the renormalised mean of their unit embeddings and identifies the nearest', () => {
    const enrolled = enrol([unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1), unit(0, 0.2, 1)], [3, 3, 5, 5]);
    assert.deepEqual([...enrolled.get(3)!].map((v) => Number(v.toFixed(6))), [0.707107, 0.707107, 0]);
    assert.ok(Math.abs(Math.hypot(...enrolled.get(5)!) - 1) < 1e-6);
    assert.deepEqual(identify(enrolled, [unit(1, 1, 0.1), unit(0, 0.1, 1), unit(0.9, 0, 0)]), [3, 5, 3]);
    assert.equal(accuracy([3, 5, 5], [3, 5, 3]), 2 / 3);
    assert.throws(() => enrol([unit(1, 0)], [1, 2]), /enrol: 1 embeddings for 2 labels/);
  });
});

describe('ORL embedder input', () => {
  it('centres the gray photograph on an RGB square twice its height, edges replicated', () => {
    const photo = image((x, y) => x + 10 * y, 4, 6);
    const framed = embedderInput(photo);
    assert.deepEqual([framed.width, framed.height, framed.channels], [12, 12, 3]);
    const px = (x: number, y: number): number[] => Array.from(framed.data.subarray(3 * (y * 12 + x), 3 * (y * 12 + x) + 3));
    // left = 4, top = 3: the photograph's pixel (1, 2) is at (5, 5).
    assert.deepEqual(px(5, 5), [21, 21, 21]);
    assert.deepEqual(px(0, 0), [0, 0, 0]);
    assert.deepEqual(px(11, 11), [53, 53, 53]);
    assert.deepEqual(px(0, 5), [20, 20, 20]);
    assert.throws(() => embedderInput(new RawImage(new Uint8Array(12), 2, 2, 3)), /embedderInput: ORL photographs are gray/);
  });
});
