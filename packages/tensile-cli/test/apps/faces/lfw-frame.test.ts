/** Identity-training crops put back into their 250×250 LFW frame. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RawImage } from 'tensile';
import { lfwTrainPhoto } from '../../../src/apps/faces/lfw-frame.js';

describe('lfwTrainPhoto', () => {
  it('puts the crop at rows and columns 48 on and replicates its edge pixels around it', () => {
    // A 160×160 RGB crop whose pixel (x, y) is (x, y, 7).
    const data = new Uint8Array(160 * 160 * 3);
    for (let y = 0; y < 160; y++) for (let x = 0; x < 160; x++) data.set([x, y, 7], (y * 160 + x) * 3);
    const photo = lfwTrainPhoto(new RawImage(data, 160, 160, 3));
    assert.deepEqual([photo.width, photo.height, photo.channels], [250, 250, 3]);
    const at = (x: number, y: number): number[] => [...photo.data.subarray((y * 250 + x) * 3, (y * 250 + x + 1) * 3)];
    assert.deepEqual(at(48, 48), [0, 0, 7]);
    assert.deepEqual(at(125, 100), [77, 52, 7]);
    assert.deepEqual(at(207, 207), [159, 159, 7]);
    assert.deepEqual(at(0, 0), [0, 0, 7]);
    assert.deepEqual(at(249, 10), [159, 0, 7]);
    assert.deepEqual(at(100, 249), [52, 159, 7]);
  });

  it('refuses a crop that does not fit the frame', () => {
    assert.throws(() => lfwTrainPhoto(new RawImage(new Uint8Array(250 * 10), 250, 10, 1)), /a 250×10 crop at offset 48 does not fit a 250×250 photograph/);
  });
});
