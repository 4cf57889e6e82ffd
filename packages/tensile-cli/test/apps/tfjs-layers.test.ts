/**
 * TF.js layers models both ways, checked by TensorFlow.js itself: the applications' networks written
 * by `saveTfjsLayersModel` open in `tf.loadLayersModel` and predict what Tensile predicts; a model
 * built and saved by TF.js opens in Tensile with the same outputs.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { type Model, ModelFileError, rand, type SymbolicTensor, type Tensor } from 'tensile';
import { loadTfjsLayersModel, saveTfjsLayersModel } from 'tensile/node';
import { tempDir } from 'tensile-test-support';
import { catsDogsCnn } from '../../src/apps/catsdogs/model.js';
import { detectorNetwork } from '../../src/apps/ids/network.js';
import { mnistCnn } from '../../src/apps/mnist/model.js';

/** Loads a model.json folder into TF.js from memory (the node file:// handler needs tfjs-node). */
async function tfjsLoad(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  const bin = await readFile(path.join(dir, json.weightsManifest[0]!.paths[0]!));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }));
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'output sizes');
  return Array.from(a).reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]!)), 0);
}

function randomizeStatistics(model: Model<SymbolicTensor | readonly SymbolicTensor[]>): void {
  for (const [name, t] of [...model.namedParameters(), ...model.namedBuffers()]) {
    if (name.endsWith('movingVariance')) t.assign(rand(t.shape).mul(1.5).add(0.5));
    else if (!name.endsWith('kernel')) t.assign(rand(t.shape).sub(0.5));
  }
}

describe('TF.js layers models', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('the MNIST, cats-vs-dogs and intrusion networks open in tf.loadLayersModel and predict as Tensile does', async (t) => {
    const cases: [string, Model<SymbolicTensor>, number[]][] = [
      ['mnist', mnistCnn('relu', 0.3), [4, 28, 28, 1]],
      ['catsdogs', catsDogsCnn({ size: 32, gray: false }, { batchNorm: true }), [3, 32, 32, 3]],
      ['ids', detectorNetwork(122, { hidden: [128, 64], dropout: 0.2 }), [8, 122]],
    ];
    for (const [name, model, shape] of cases) {
      randomizeStatistics(model);
      const dir = path.join(await tempDir('tensile-tfjs-'), name);
      await saveTfjsLayersModel(model, dir);
      const theirs = await tfjsLoad(dir);
      const x: Tensor = rand(shape);
      const expected = (model.predict(x)).dataSync();
      const tfOutput = theirs.predict(tf.tensor(Float32Array.from(x.dataSync()), shape)) as tf.Tensor;
      const difference = maxDifference(expected, tfOutput.dataSync());
      const back = maxDifference(expected, (await loadTfjsLayersModel(path.join(dir, 'model.json'))).predict(x).dataSync());
      t.diagnostic(`${name}: max |tensile - tfjs| = ${difference.toExponential(2)}; read back by Tensile: ${back.toExponential(2)}`);
      assert.ok(difference < 1e-4, `${name}: ${difference}`);
      assert.equal(back, 0, `${name} read back`);
    }
  });

  it('opens a model TF.js built and saved, with the same outputs; refuses layers it lacks and missing weights by name', async (t) => {
    const theirs = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'elu' }),
        tf.layers.batchNormalization({ momentum: 0.9 }),
        tf.layers.averagePooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 3, kernelSize: [2, 3], strides: [1, 2], activation: 'relu' }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 5, activation: 'tanh' }),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const dir = await tempDir('tensile-tfjs-theirs-');
    await theirs.save(tf.io.withSaveHandler(async (artifacts) => {
      await writeFile(path.join(dir, 'model.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
      await writeFile(path.join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['model.bin'], weights: artifacts.weightSpecs }] }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const ours = await loadTfjsLayersModel(path.join(dir, 'model.json'));
    const x = rand([6, 10, 10, 2]);
    const difference = maxDifference((theirs.predict(tf.tensor(Float32Array.from(x.dataSync()), [6, 10, 10, 2])) as tf.Tensor).dataSync(), ours.predict(x).dataSync());
    t.diagnostic(`TF.js-made model read by Tensile: max |tfjs - tensile| = ${difference.toExponential(2)}`);
    assert.ok(difference < 1e-4, `${difference}`);

    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as { modelTopology: { config: { layers: { class_name: string }[] } }; weightsManifest: { weights: { name: string }[] }[] };
    const broken = path.join(dir, 'broken.json');
    const missing = structuredClone(json);
    missing.weightsManifest[0]!.weights[0]!.name = 'elsewhere/kernel';
    await writeFile(broken, JSON.stringify(missing));
    await assert.rejects(loadTfjsLayersModel(broken), (e: unknown) => e instanceof ModelFileError && /broken\.json: has no weight '\w+\/kernel' for layer/.test(e.message));
    const foreign = structuredClone(json);
    foreign.modelTopology.config.layers[2]!.class_name = 'LSTM';
    await writeFile(broken, JSON.stringify(foreign));
    await assert.rejects(loadTfjsLayersModel(broken), (e: unknown) => e instanceof ModelFileError && /broken\.json: layer '\w+' is a LSTM, which Tensile does not read from TF\.js/.test(e.message));
  });
});
