import { IDX_FILES, loadIdxImageSet, type TrainTestImages } from './idx-image-set.node.js';
import type { FetchOptions } from './fetch.node.js';
import { checkOptions, optionNames } from '../../options.js';

/** Class names of the Fashion-MNIST labels 0–9. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

const FETCH_OPTION_NAMES = optionNames<FetchOptions>()('root', 'baseUrl', 'download', 'verify');

/**
 * Fashion-MNIST (Zalando): 60,000 train and 10,000 test 28×28 gray clothing images, labels 0–9
 * (`FASHION_MNIST_CLASSES`). Looked up in `<data root>/fashion-mnist/`, the cache, and Debian's
 * `dataset-fashion-mnist` package folder; downloaded from Zalando's public bucket when missing.
 * IDX structure and counts are checked (no content hashes: distributions re-compress the files).
 */
export function fashionMnist(options: FetchOptions = {}): Promise<TrainTestImages> {
  checkOptions('fashionMnist', options, FETCH_OPTION_NAMES);
  return loadIdxImageSet(
    {
      name: 'fashion-mnist',
      files: IDX_FILES.map((name) => ({ name })),
      defaultBaseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com',
      systemDirs: ['/usr/share/datasets/fashion-mnist'],
    },
    { train: 60000, test: 10000 },
    options,
  );
}
