/**
 * The buffers the native backend keeps between kernel calls: freed arrays of every size come back
 * for the same type and length (zeroed when asked), shared buffers and arrays past the capacity or
 * the per-length count are not kept; descriptors are one array per length and argument position.
 * Pure TypeScript: runs whether or not the kernels are built.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Descriptors } from '../src/descriptors.js';
import { Recycler } from '../src/recycler.js';

describe('native backend recycler', () => {
  it('hands a freed small array back for the same type and length, zeroed when asked', () => {
    const recycler = new Recycler(1 << 20);
    const freed = Float32Array.of(1, 2, 3);
    recycler.give(freed);
    assert.equal(recycler.bytes, 12);
    assert.notEqual(recycler.take(Int32Array, 3, false), freed, 'another type');
    assert.notEqual(recycler.take(Float32Array, 4, false), freed, 'another length');
    const again = recycler.take(Float32Array, 3, true);
    assert.equal(again, freed);
    assert.deepEqual([...again], [0, 0, 0]);
    assert.equal(recycler.bytes, 0);
  });

  it('keeps no view into a larger buffer and nothing past its capacity', () => {
    const recycler = new Recycler(64);
    recycler.give(new Float32Array(new ArrayBuffer(64), 16, 4));
    recycler.give(new Float32Array(32));
    assert.equal(recycler.bytes, 0);
    recycler.give(new Float32Array(16));
    assert.equal(recycler.bytes, 64);
  });

  it('keeps at most 64 arrays of one length', () => {
    const recycler = new Recycler(1 << 20);
    for (let i = 0; i < 100; i++) recycler.give(new Uint8Array(8));
    assert.equal(recycler.bytes, 64 * 8);
  });
});

describe('native backend descriptors', () => {
  it('refills one array per length and argument position', () => {
    const descriptors = new Descriptors();
    const first = descriptors.of(0, [1, 2, 3]);
    assert.deepEqual([...first], [1, 2, 3]);
    assert.equal(descriptors.of(0, [4, 5, 6]), first);
    assert.deepEqual([...first], [4, 5, 6]);
    assert.notEqual(descriptors.of(1, [7, 8, 9]), first);
    assert.notEqual(descriptors.of(0, [1, 2]), first);
    assert.deepEqual([...first], [4, 5, 6]);
  });
});
