import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CategoryEncoder } from '../../src/data/category-encoder.js';
import { Scaler } from '../../src/data/scalers.js';
import { TabularEncoder } from '../../src/data/tabular-encoder.js';

test('CategoryEncoder: sorted vocabulary, one-hot, unknown policy, JSON round trip', () => {
  const encoder = CategoryEncoder.fit(['udp', 'tcp', 'icmp', 'tcp']);
  assert.deepEqual(encoder.vocabulary, ['icmp', 'tcp', 'udp']);
  assert.deepEqual([...encoder.oneHot('udp')], [0, 0, 1]);
  assert.throws(() => encoder.index('sctp'), /unknown category "sctp"/);
  const lenient = CategoryEncoder.fromJSON({ ...encoder.toJSON(), unknown: 'ignore' });
  assert.deepEqual([...lenient.oneHot('sctp')], [0, 0, 0]);
});

test('Scaler: min-max and standard fitted on train, applied unchanged to new rows', () => {
  const train = [[0, 10], [5, 10], [10, 10]];
  const minmax = Scaler.fitMinMax(train);
  assert.deepEqual([...minmax.transform([5, 10])], [0.5, 0]); // a constant feature keeps scale 1
  assert.deepEqual([...minmax.transform([20, 11])], [2, 1]);
  const standard = Scaler.fromJSON(JSON.parse(JSON.stringify(Scaler.fitStandard(train).toJSON())));
  const z = standard.transform([10, 10]);
  assert.ok(Math.abs(z[0]! - 5 / Math.sqrt(50 / 3)) < 1e-6);
  assert.deepEqual([...standard.inverse(z)].map((v) => Math.round(v)), [10, 10]);
});

test('TabularEncoder: mixed columns to one vector; saved and restored encoders agree', () => {
  const rows = [
    { bytes: 100, proto: 'tcp', flag: 'SF' },
    { bytes: 300, proto: 'udp', flag: 'S0' },
  ];
  const encoder = TabularEncoder.fit(
    { bytes: { kind: 'numeric', scale: 'minmax' }, proto: { kind: 'categorical' }, flag: { kind: 'categorical', encoding: 'index' } },
    rows,
  );
  assert.deepEqual(encoder.featureNames, ['bytes', 'proto=tcp', 'proto=udp', 'flag']);
  assert.deepEqual([...encoder.transform({ bytes: 200, proto: 'udp', flag: 'SF' })], [0.5, 0, 1, 1]);
  const restored = TabularEncoder.fromJSON(JSON.parse(JSON.stringify(encoder.toJSON())));
  assert.deepEqual(restored.transformAll(rows), encoder.transformAll(rows));
  assert.throws(() => encoder.transform({ bytes: 'x', proto: 'tcp', flag: 'SF' }), /not a number/);
});
