/**
 * The networks: the detector (also the GAN's discriminator D, so that the GAN and the MLP baseline
 * differ only in how they are trained) and the GAN's generator G. The detector has one output row
 * of 1 + 5 logits: [attack-vs-normal, normal, DoS, Probe, R2L, U2R].
 */
import { NSL_KDD_CATEGORIES } from 'tensile/node';
import { Dense, Dropout, type Layer, Sequential, slice, type Tensor } from 'tensile';

export const DETECTOR_OUTPUTS = 1 + NSL_KDD_CATEGORIES.length;

export interface DetectorArchitecture {
  /** Hidden ReLU layer widths; none is multinomial logistic regression. */
  readonly hidden: readonly number[];
  /** Dropout after each hidden layer. */
  readonly dropout: number;
}

export function detectorNetwork(width: number, architecture: DetectorArchitecture): Sequential {
  // Fixed layer names, so that weights saved in one process load in another (default names are numbered per process).
  const layers: Layer[] = architecture.hidden.flatMap((units, i) => [
    new Dense({ units, activation: 'relu', name: `hidden_${i + 1}` }),
    ...(architecture.dropout > 0 ? [new Dropout({ rate: architecture.dropout, name: `dropout_${i + 1}` })] : []),
  ]);
  return new Sequential([...layers, new Dense({ units: DETECTOR_OUTPUTS, name: 'output' })], { name: 'ids_detector', inputShape: [width] });
}

/** G: Gaussian noise (or an encoder's code) → a synthetic encoded record in [0, 1]^width, the range of the scaled features. */
export function generatorNetwork(noiseSize: number, width: number, hidden: readonly number[]): Sequential {
  return new Sequential(
    [...hidden.map((units, i) => new Dense({ units, activation: 'relu', name: `hidden_${i + 1}` })), new Dense({ units: width, activation: 'sigmoid', name: 'output' })],
    { name: 'ids_generator', inputShape: [noiseSize] },
  );
}

/** E of the anomaly GAN: an encoded record → a code of `codeSize` numbers (linear output). */
export function encoderNetwork(width: number, codeSize: number, hidden: readonly number[]): Sequential {
  return new Sequential(
    [...hidden.map((units, i) => new Dense({ units, activation: 'relu', name: `hidden_${i + 1}` })), new Dense({ units: codeSize, name: 'code' })],
    { name: 'ids_encoder', inputShape: [width] },
  );
}

/** The attack-vs-normal logits `[n, 1]` of the detector's output. */
export function attackLogits(output: Tensor): Tensor {
  return slice(output, [null, [0, 1]]);
}

/** The 5-category logits `[n, 5]`. */
export function categoryLogits(output: Tensor): Tensor {
  return slice(output, [null, [1, DETECTOR_OUTPUTS]]);
}

/** The activations feeding the detector's output layer (for the generator's feature matching). */
export function penultimate(detector: Sequential, x: Tensor): Tensor {
  return detector.layers.slice(0, -1).reduce((h, layer) => layer.forward(h), x);
}
