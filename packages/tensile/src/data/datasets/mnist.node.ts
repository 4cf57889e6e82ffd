import { IDX_FILES, loadIdxImageSet, type TrainTestImages } from './idx-image-set.node.js';
import type { FetchOptions } from './fetch.node.js';
import { checkOptions, optionNames } from '../../options.js';

/** sha256 of the decompressed IDX files: the published hashes of the original MNIST files. */
const CONTENT_SHA256 = [
  'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
];

const FETCH_OPTION_NAMES = optionNames<FetchOptions>()('root', 'baseUrl', 'download', 'verify');

/**
 * MNIST handwritten digits: 60,000 train and 10,000 test 28×28 gray images with labels 0–9, from
 * `<data root>/mnist/` (the four `.gz` IDX files), downloaded into the cache from the CVDF mirror
 * when missing. Contents are checked against the published sha256 sums.
 *
 * ```ts
 * const { train, test } = await mnist();
 * train.shape; // [60000, 28, 28, 1]
 * ```
 */
export function mnist(options: FetchOptions = {}): Promise<TrainTestImages> {
  checkOptions('mnist', options, FETCH_OPTION_NAMES);
  return loadIdxImageSet(
    {
      name: 'mnist',
      files: IDX_FILES.map((name, i) => ({ name, contentSha256: CONTENT_SHA256[i] })),
      defaultBaseUrl: 'https://storage.googleapis.com/cvdf-datasets/mnist',
    },
    { train: 60000, test: 10000 },
    options,
  );
}
