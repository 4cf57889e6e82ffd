/** The open-set calibration of the allow distance: the tail of the different-person distances by gallery size, and its check on simulated galleries. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowDistanceFor, calibrateOpenSet, checkOpenSet, type LabelledEmbedding, MIN_PAIRS_BELOW, type OpenSetRule } from '../../../src/apps/faces/open-set.js';

/** One-dimensional embeddings: person i at i, so i and j are |i − j| apart and distance d has n − d pairs. */
function line(n: number): LabelledEmbedding[] {
  return Array.from({ length: n }, (_, i) => ({ person: i, image: `p${i}`, embedding: Float32Array.of(i) }));
}

describe('calibrateOpenSet', () => {
  it('takes the distance below which 1 − (1 − alpha)^(1/E) of the different-person pairs lie, for each gallery size E', () => {
    // 100 people: 4,950 pairs, 100d − d(d+1)/2 of them at most d apart.
    const rule = calibrateOpenSet(line(100), { alpha: 0.5, gallerySizes: [1, 10] });
    assert.equal(rule.differentPairs, 4950);
    // E = 1: 2,475 pairs may lie below; 2,465 are ≤ 29 and 2,535 ≤ 30, so the 2,475th and 2,476th are both 30.
    // E = 10: 1 − 0.5^0.1 = 0.0670 → 331 pairs; 294 are ≤ 3, 390 are ≤ 4.
    assert.deepEqual(rule.steps, [{ embeddings: 1, allowDistance: 30, pairsBelow: 2475 }, { embeddings: 10, allowDistance: 4, pairsBelow: 331 }]);
  });

  it('puts the distance midway between the last pair allowed below it and the next, counting different-person pairs only', () => {
    // Persons at 0, 1 and 3, four images each: 16 pairs at each of the distances 1, 3 and 2; the 24 same-person pairs (distance 0) do not count.
    const embeddings = [0, 1, 3].flatMap((x, person) => Array.from({ length: 4 }, (_, k) => ({ person, image: `${person}-${k}`, embedding: Float32Array.of(x) })));
    const wide = calibrateOpenSet(embeddings, { alpha: 0.68, gallerySizes: [1] }); // 32.6 → 32 pairs below: between the 32nd (2) and the 33rd (3)
    assert.equal(wide.differentPairs, 48);
    assert.deepEqual(wide.steps, [{ embeddings: 1, allowDistance: 2.5, pairsBelow: 32 }]);
    const narrow = calibrateOpenSet(embeddings, { alpha: 0.34, gallerySizes: [1] }); // 16.3 → 16: between the 16th (1) and the 17th (2)
    assert.deepEqual(narrow.steps, [{ embeddings: 1, allowDistance: 1.5, pairsBelow: 16 }]);
  });

  it('shrinks the allow distance as the gallery grows and leaves out sizes with too few pairs in the tail', () => {
    const rule = calibrateOpenSet(line(200), { alpha: 0.01 });
    const distances = rule.steps.map((s) => s.allowDistance);
    assert.deepEqual(distances, [...distances].sort((a, b) => b - a));
    assert.ok(rule.steps.every((s) => s.pairsBelow >= MIN_PAIRS_BELOW));
    // 19,900 pairs: at E = 20 only 9 may lie below (1 − 0.99^(1/20) of them is 9.998), too few, so the table stops at E = 10.
    assert.deepEqual(rule.steps.map((s) => s.embeddings), [1, 2, 5, 10]);
  });

  it('refuses a bad alpha, and data too small for any step', () => {
    assert.throws(() => calibrateOpenSet(line(10), { alpha: 0 }), /alpha must be in \(0, 1\), got 0/);
    assert.throws(() => calibrateOpenSet(line(10), { alpha: 1.5 }), /alpha must be in \(0, 1\), got 1.5/);
    assert.throws(() => calibrateOpenSet(line(10), { alpha: 0.01 }), /45 different-person pairs are too few to estimate a 0.01 stranger rate/);
  });
});

describe('allowDistanceFor', () => {
  const rule: OpenSetRule = { alpha: 0.01, differentPairs: 1e6, steps: [{ embeddings: 10, allowDistance: 0.4, pairsBelow: 1000 }, { embeddings: 100, allowDistance: 0.3, pairsBelow: 100 }] };

  it('uses the first step at least the gallery size, and the last beyond the table', () => {
    assert.equal(allowDistanceFor(rule, 0), 0.4);
    assert.equal(allowDistanceFor(rule, 10), 0.4);
    assert.equal(allowDistanceFor(rule, 11), 0.3);
    assert.equal(allowDistanceFor(rule, 100), 0.3);
    assert.equal(allowDistanceFor(rule, 5000), 0.3);
  });
});

describe('checkOpenSet', () => {
  // Ten people, two images each: the second image 0.1 from the first; people 1 apart on a line.
  const people = Array.from({ length: 10 }, (_, p) => [
    { person: p, image: `${p}a`, embedding: Float32Array.of(p) },
    { person: p, image: `${p}b`, embedding: Float32Array.of(p + 0.1) },
  ]).flat();
  const ruleAt = (allowDistance: number): OpenSetRule => ({ alpha: 0.01, differentPairs: 1, steps: [{ embeddings: 1, allowDistance, pairsBelow: 1 }] });

  it('allows every genuine probe and no stranger when the allow distance separates them', () => {
    const [check] = checkOpenSet(people, ruleAt(0.5), { gallerySizes: [4], splits: 3, seed: 1 });
    assert.deepEqual(check, { people: 4, allowDistance: 0.5, strangers: 18, strangerFalseAllow: 0, genuine: 12, correctAllow: 1, wrongPersonAllow: 0 });
  });

  it('allows every stranger next to an enrolled person when the allow distance is wide', () => {
    // Nobody is more than 9 from anyone.
    const [check] = checkOpenSet(people, ruleAt(9.5), { gallerySizes: [4], splits: 2, seed: 3 });
    assert.equal(check!.strangerFalseAllow, 1);
    assert.equal(check!.correctAllow, 1);
  });

  it('refuses a gallery that leaves no strangers', () => {
    assert.throws(() => checkOpenSet(people, ruleAt(0.5), { gallerySizes: [10], splits: 1, seed: 1 }), /a gallery of 10 people needs strangers besides it, and there are 10 people/);
  });
});
