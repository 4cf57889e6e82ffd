/** The four-file IDX layout shared by MNIST and Fashion-MNIST. */
import path from 'node:path';
import { DataError } from '../../io/errors.js';
import { readIdx } from '../../io/idx.js';
import { readFileBytes } from '../../io/files.node.js';
import { maybeGunzip } from '../../io/gzip.js';
import { locateDataset, verifyContent, type DatasetLocation, type FetchOptions, type FileSpec } from './fetch.node.js';
import type { LabeledImages } from './labeled-images.js';

export interface TrainTestImages {
  readonly train: LabeledImages;
  readonly test: LabeledImages;
}

export const IDX_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'] as const;

/** Loads train and test splits, checking dtype, 28×28 size, matching counts and expected counts. */
export async function loadIdxImageSet(
  location: DatasetLocation,
  expectedCounts: { readonly train: number; readonly test: number },
  options: FetchOptions,
): Promise<TrainTestImages> {
  const dir = await locateDataset(location, options);
  const specs = new Map(location.files.map((file) => [file.name, file]));
  const load = async (images: string, labels: string, count: number): Promise<LabeledImages> => {
    const [imageArray, labelArray] = await Promise.all([
      readChecked(dir, specs.get(images)!, [count, 28, 28], options),
      readChecked(dir, specs.get(labels)!, [count], options),
    ]);
    return { images: imageArray, labels: labelArray, shape: [count, 28, 28, 1] };
  };
  const [train, test] = await Promise.all([
    load(IDX_FILES[0], IDX_FILES[1], expectedCounts.train),
    load(IDX_FILES[2], IDX_FILES[3], expectedCounts.test),
  ]);
  return { train, test };
}

async function readChecked(dir: string, spec: FileSpec, shape: readonly number[], options: FetchOptions): Promise<Uint8Array> {
  const file = path.join(dir, spec.name);
  const content = await maybeGunzip(await readFileBytes(file), file);
  if (options.verify ?? true) verifyContent(file, content, spec);
  const array = await readIdx(content, file, { dtype: 'uint8', shape });
  if (!(array.values instanceof Uint8Array)) throw new DataError(file, 'expected uint8 values');
  return array.values;
}
