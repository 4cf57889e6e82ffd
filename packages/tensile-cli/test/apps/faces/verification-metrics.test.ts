/** LFW verification metrics on hand-made distances: folds, threshold per fold, ROC, AUC, equal error rate. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestThreshold } from '../../../src/apps/faces/threshold.js';
import { crossValidate, decisionsAt, verificationFolds, type ScoredPair } from '../../../src/apps/faces/verification/folds.js';
import { areaUnderCurve, equalErrorRate, rocCurve } from '../../../src/apps/faces/verification/roc.js';

const pairs = (same: readonly number[], different: readonly number[]): ScoredPair[] => [
  ...same.map((distance) => ({ distance, same: true })),
  ...different.map((distance) => ({ distance, same: false })),
];

const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);

describe('verificationFolds', () => {
  it('gives each fold the k-th tenth of the same pairs and of the different pairs, in file order (DevTest: 500 same, then 500 different)', () => {
    const devTest = [...Array<boolean>(500).fill(true), ...Array<boolean>(500).fill(false)].map((same) => ({ same }));
    const folds = verificationFolds(devTest);
    for (let k = 0; k < 10; k++) {
      const members = folds.flatMap((f, i) => (f === k ? [i] : []));
      assert.deepEqual(members, [...Array.from({ length: 50 }, (_, i) => 50 * k + i), ...Array.from({ length: 50 }, (_, i) => 500 + 50 * k + i)]);
    }
  });

  it("reproduces View 2's folds of pairs.txt (fold-major, same pairs first in each fold)", () => {
    const view2 = Array.from({ length: 10 }, () => [...Array<boolean>(30).fill(true), ...Array<boolean>(30).fill(false)]).flat().map((same) => ({ same }));
    assert.deepEqual(verificationFolds(view2), Array.from({ length: 600 }, (_, i) => Math.floor(i / 60)));
  });

  it('refuses fewer than ten pairs of either kind', () => {
    assert.throws(() => verificationFolds(pairs(Array<number>(10).fill(0), Array<number>(9).fill(1))), /at least 10 same-person and 10 different-person pairs, got 10 and 9/);
  });
});

describe('thresholds', () => {
  it('bestThreshold picks the first threshold of highest accuracy, midway between neighbouring distances', () => {
    // Sorted: .2 S, .4 D, .6 S, .8 D — "same" below .3 and below .7 both get 3 of 4 right.
    assert.deepEqual(bestThreshold([0.2, 0.6], [0.4, 0.8], 'accuracy'), { threshold: 0.30000000000000004, score: 0.75 });
    // Sorted: .05 D, .1 S, .2 D, .3 D, .4 D. Accuracy ties (4 of 5) at "accept nothing" and below .15: the first wins;
    // balanced accuracy counts the one same pair as half and prefers .15.
    assert.deepEqual(bestThreshold([0.1], [0.05, 0.2, 0.3, 0.4], 'accuracy'), { threshold: 0.05 - 1e-6, score: 0.8 });
    assert.deepEqual(bestThreshold([0.1], [0.05, 0.2, 0.3, 0.4], 'balanced-accuracy'), { threshold: 0.15000000000000002, score: 0.875 });
  });

  it('decisionsAt: same below the threshold, different at or above it', () => {
    assert.deepEqual(decisionsAt(pairs([0.1, 0.5], [0.5, 0.2, 0.9, 0.7]), 0.5), { accuracy: 4 / 6, sameAccuracy: 0.5, differentAccuracy: 0.75 });
  });

  it('crossValidate chooses each fold’s threshold on the other nine folds only', () => {
    // One same and one different pair per fold; fold 1's same pair is far (0.6), fold 2's different pair near (0.4).
    const same = [0.6, ...Array<number>(9).fill(0.2)];
    const different = [0.8, 0.4, ...Array<number>(8).fill(0.8)];
    const folds = crossValidate(pairs(same, different));
    assert.deepEqual(folds.map((f) => f.pairs), Array<number>(10).fill(2));
    // Fold 1 trains without its 0.6: threshold 0.3 rejects it. Fold 2 trains without its 0.4: threshold 0.7 accepts it.
    // The other folds train on both outliers: 0.3 and 0.7 both get 17 of 18 right, and the first (0.3) is kept.
    close(folds[0]!.threshold, 0.3, 'fold 1 threshold');
    close(folds[1]!.threshold, 0.7, 'fold 2 threshold');
    assert.deepEqual(folds.map((f) => f.accuracy), [0.5, 0.5, ...Array<number>(8).fill(1)]);
    assert.deepEqual(folds.map((f) => f.trainAccuracy), [1, 1, ...Array<number>(8).fill(17 / 18)]);
    for (const f of folds.slice(2)) close(f.threshold, 0.3, `fold ${f.fold} threshold`);
  });
});

describe('ROC, AUC, equal error rate', () => {
  it('a hand-made curve: points, AUC = P(same nearer than different), EER where FAR = FRR', () => {
    // Sorted: .1 S, .2 S, .3 D, .4 S, .5 D, .6 D.
    const curve = rocCurve(pairs([0.1, 0.2, 0.4], [0.3, 0.5, 0.6]));
    assert.deepEqual(curve.map((p) => [p.falseAcceptRate, p.trueAcceptRate]), [[0, 0], [0, 1 / 3], [0, 2 / 3], [1 / 3, 2 / 3], [1 / 3, 1], [2 / 3, 1], [1, 1]]);
    close(areaUnderCurve(curve), 8 / 9, 'AUC');
    const eer = equalErrorRate(curve);
    close(eer.rate, 1 / 3, 'EER');
    close(eer.distance, 0.3, 'EER distance');
  });

  it('interpolates the equal error rate between the points that straddle it', () => {
    // Sorted: .1 S, .3 D, .35 S, .5 D, .6 D, .7 D: FAR − FRR goes −0.25 at (0.25, 0.5) → +0.25 at (0.25, 1).
    const eer = equalErrorRate(rocCurve(pairs([0.1, 0.35], [0.3, 0.5, 0.6, 0.7])));
    close(eer.rate, 0.25, 'EER');
    close(eer.distance, 0.325, 'EER distance');
  });

  it('perfect separation: AUC 1, EER 0; tied distances count half; reversed order: AUC 0, EER 1', () => {
    const perfect = rocCurve(pairs([0.1, 0.2], [0.3, 0.4]));
    assert.equal(areaUnderCurve(perfect), 1);
    assert.equal(equalErrorRate(perfect).rate, 0);
    const tied = rocCurve(pairs([0.2, 0.2], [0.2]));
    assert.deepEqual(tied.map((p) => [p.falseAcceptRate, p.trueAcceptRate]), [[0, 0], [1, 1]]);
    assert.equal(areaUnderCurve(tied), 0.5);
    assert.equal(equalErrorRate(tied).rate, 0.5);
    const reversed = rocCurve(pairs([0.3, 0.4], [0.1, 0.2]));
    assert.equal(areaUnderCurve(reversed), 0);
    assert.equal(equalErrorRate(reversed).rate, 1);
  });

  it('refuses a curve without both kinds of pair', () => {
    assert.throws(() => rocCurve(pairs([0.1], [])), /needs same-person and different-person pairs, got 1 and 0/);
  });
});
