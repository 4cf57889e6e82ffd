import path from 'node:path';
import { DataError } from '../../io/errors.js';
import { listImageFolder, type ImageFolder } from '../image-folder.node.js';
import { locateDataset, type FetchOptions } from './fetch.node.js';
import { checkOptions, optionNames } from '../../options.js';

export interface CatsDogs {
  /** 1000 cats + 1000 dogs; classNames `['cats', 'dogs']`. */
  readonly train: ImageFolder;
  /** 500 cats + 500 dogs. */
  readonly validation: ImageFolder;
}

const EXPECTED = { train: 2000, validation: 1000 } as const;

const FETCH_OPTION_NAMES = optionNames<FetchOptions>()('root', 'baseUrl', 'download', 'verify');

/**
 * Dogs vs. Cats (`cats_and_dogs_filtered`): lists the JPEGs with labels (0 = cat, 1 = dog) and checks
 * the counts; decode lazily with `imageFileDataset(train.files)`, since 3000 decoded photos are large.
 *
 * ```ts
 * const { train } = await catsDogs();
 * const images = imageFileDataset(train.files).map(({ image, label }) => ({
 *   x: resize(toGrayscale(image), 50, 50, 'area'), y: label }));
 * ```
 */
export async function catsDogs(options: FetchOptions = {}): Promise<CatsDogs> {
  checkOptions('catsDogs', options, FETCH_OPTION_NAMES);
  const base = path.join('cats_and_dogs_filtered');
  const dir = await locateDataset({ name: 'cats-dogs', files: [{ name: path.join(base, 'train', 'cats') }, { name: path.join(base, 'validation', 'dogs') }] }, options);
  const load = async (split: keyof typeof EXPECTED): Promise<ImageFolder> => {
    const folder = await listImageFolder(path.join(dir, base, split), ['.jpg']);
    if (folder.files.length !== EXPECTED[split]) {
      throw new DataError(path.join(dir, base, split), `holds ${folder.files.length} images, expected ${EXPECTED[split]}`);
    }
    return folder;
  };
  const [train, validation] = await Promise.all([load('train'), load('validation')]);
  return { train, validation };
}
