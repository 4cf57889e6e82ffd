/** Face alignment: the least-squares similarity, its inverse, and the warp that puts eyes and mouth on the template. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RawImage, ValueError } from 'tensile';
import { ALIGNED_FACE_TEMPLATE, alignFace, applySimilarity, faceAnchors, fitSimilarity, invertSimilarity, type Point, type Similarity } from '../../src/apps/faces/alignment.js';

const near = (a: Point, b: Point, tolerance = 1e-9): boolean => Math.abs(a.x - b.x) <= tolerance && Math.abs(a.y - b.y) <= tolerance;

describe('face alignment', () => {
  const rotateScaleShift: Similarity = { a: 1.5 * Math.cos(0.3), b: 1.5 * Math.sin(0.3), tx: 12, ty: -7 };

  it('fitSimilarity recovers a rotation + scale + shift exactly, and invertSimilarity undoes it', () => {
    const from = [{ x: 10, y: 20 }, { x: 40, y: 22 }, { x: 25, y: 60 }, { x: 0, y: 0 }];
    const to = from.map((p) => applySimilarity(rotateScaleShift, p));
    const fitted = fitSimilarity(from, to);
    for (const key of ['a', 'b', 'tx', 'ty'] as const) assert.ok(Math.abs(fitted[key] - rotateScaleShift[key]) < 1e-9, key);
    const back = invertSimilarity(fitted);
    for (const p of from) assert.ok(near(applySimilarity(back, applySimilarity(fitted, p)), p));
  });

  it('fitSimilarity is the least-squares fit when the points do not match exactly (the mean maps onto the mean)', () => {
    const from = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 5, y: 10 }];
    const to = [{ x: 1, y: 1 }, { x: 12, y: 0 }, { x: 5, y: 9 }];
    const t = fitSimilarity(from, to);
    const mapped = from.map((p) => applySimilarity(t, p));
    const mean = (ps: Point[]): Point => ({ x: ps.reduce((s, p) => s + p.x, 0) / ps.length, y: ps.reduce((s, p) => s + p.y, 0) / ps.length });
    assert.ok(near(mean(mapped), mean(to), 1e-9));
    // Any other scale does worse.
    const error = (s: Similarity): number => from.reduce((sum, p, i) => sum + (applySimilarity(s, p).x - to[i]!.x) ** 2 + (applySimilarity(s, p).y - to[i]!.y) ** 2, 0);
    assert.ok(error(t) < error({ ...t, a: t.a * 1.01 }) && error(t) < error({ ...t, b: t.b + 0.01 }));
    assert.throws(() => fitSimilarity([{ x: 1, y: 1 }, { x: 1, y: 1 }], [{ x: 0, y: 0 }, { x: 1, y: 1 }]), ValueError);
  });

  it('alignFace puts the eye and mouth centres of a drawn face on the template', () => {
    // A 100×100 photo with three bright 3×3 squares at two eyes and a mouth: the template turned by 0.2 rad,
    // scaled by 0.4 and shifted. Each square is drawn around the pixel holding its centre, up to 0.5 px off,
    // which the chip enlarges 2.5× (so 1.5 px tolerance).
    const tilt: Similarity = { a: 0.4 * Math.cos(0.2), b: 0.4 * Math.sin(0.2), tx: 25, ty: 20 };
    const centres = ALIGNED_FACE_TEMPLATE.map((t) => applySimilarity(tilt, { x: t.x * 150, y: t.y * 150 }));
    const data = new Uint8Array(100 * 100 * 3);
    for (const c of centres) {
      for (let y = Math.floor(c.y) - 1; y <= Math.floor(c.y) + 1; y++) for (let x = Math.floor(c.x) - 1; x <= Math.floor(c.x) + 1; x++) data.fill(255, (y * 100 + x) * 3, (y * 100 + x) * 3 + 3);
    }
    // 68 landmarks whose eye and mouth groups average to the three centres.
    const landmarks: Point[] = Array.from({ length: 68 }, (_, i) => (i >= 36 && i <= 41 ? centres[0]! : i >= 42 && i <= 47 ? centres[1]! : i >= 48 ? centres[2]! : { x: 50, y: 50 }));
    assert.ok(faceAnchors(landmarks).every((p, i) => near(p, centres[i]!)));
    const chip = alignFace(new RawImage(data, 100, 100, 3), landmarks, 150);
    assert.deepEqual(chip.shape, [150, 150, 3]);
    // The weighted centre of the bright pixels near each template point is on it.
    for (const t of ALIGNED_FACE_TEMPLATE) {
      let [sum, sx, sy] = [0, 0, 0];
      for (let y = 0; y < 150; y++) {
        for (let x = 0; x < 150; x++) {
          if (Math.hypot(x + 0.5 - t.x * 150, y + 0.5 - t.y * 150) > 12) continue;
          const value = chip.data[(y * 150 + x) * 3]!;
          sum += value;
          sx += value * (x + 0.5);
          sy += value * (y + 0.5);
        }
      }
      assert.ok(sum > 0, `something bright near (${t.x}, ${t.y})`);
      assert.ok(near({ x: sx / sum, y: sy / sum }, { x: t.x * 150, y: t.y * 150 }, 1.5), `bright spot at (${sx / sum}, ${sy / sum}) for template (${t.x * 150}, ${t.y * 150})`);
    }
    assert.throws(() => faceAnchors(landmarks.slice(1)), /expected 68 landmarks, got 67/);
  });
});
