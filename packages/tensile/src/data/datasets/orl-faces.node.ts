import { DataError } from '../../io/errors.js';
import { Generator } from '../../tensor/random.js';
import { decodePnm } from '../../io/pnm.js';
import { listImageFolder } from '../image-folder.node.js';
import { readFileBytes } from '../../io/files.node.js';
import { locateDataset, type FetchOptions } from './fetch.node.js';
import type { LabeledImages } from './labeled-images.js';
import { checkOptions, optionNames } from '../../options.js';

export interface OrlFacesOptions extends FetchOptions {
  /** Images per person in the training split (the rest are test). Default 5 (of 10). */
  readonly trainPerPerson?: number;
  /** Seed of the per-person choice of training images. Default 0. */
  readonly seed?: number;
}

export interface OrlFaces {
  readonly train: LabeledImages;
  readonly test: LabeledImages;
  /** `s1` … `s40`; label i is classNames[i]. */
  readonly classNames: readonly string[];
}

const PEOPLE = 40;
const IMAGES_PER_PERSON = 10;
const WIDTH = 92;
const HEIGHT = 112;

const ORL_FACES_OPTION_NAMES = optionNames<OrlFacesOptions>()('root', 'baseUrl', 'download', 'verify', 'trainPerPerson', 'seed');

/**
 * AT&T/ORL faces: 40 people × 10 gray 92×112 PGM images, split per person (seeded) into
 * `trainPerPerson` training and the remaining test images, so every person is in both splits.
 */
export async function orlFaces(options: OrlFacesOptions = {}): Promise<OrlFaces> {
  checkOptions('orlFaces', options, ORL_FACES_OPTION_NAMES);
  const trainPerPerson = options.trainPerPerson ?? 5;
  if (!(Number.isInteger(trainPerPerson) && trainPerPerson >= 0 && trainPerPerson <= IMAGES_PER_PERSON)) {
    throw new DataError('orlFaces', `trainPerPerson must be an integer 0..${IMAGES_PER_PERSON}, got ${trainPerPerson}`);
  }
  const dir = await locateDataset({ name: 'faces-orl', files: [{ name: 's1/1.pgm' }, { name: 's40/10.pgm' }] }, options);
  const folder = await listImageFolder(dir, ['.pgm']);
  if (folder.classNames.length !== PEOPLE || folder.files.length !== PEOPLE * IMAGES_PER_PERSON) {
    throw new DataError(dir, `holds ${folder.files.length} images of ${folder.classNames.length} people, expected ${PEOPLE} × ${IMAGES_PER_PERSON}`);
  }
  const images = await Promise.all(
    folder.files.map(async ({ path: file }) => {
      const image = decodePnm(await readFileBytes(file), file);
      if (image.width !== WIDTH || image.height !== HEIGHT || image.channels !== 1) {
        throw new DataError(file, `is ${image.width}×${image.height}×${image.channels}, expected ${WIDTH}×${HEIGHT} gray`);
      }
      return image;
    }),
  );
  const random = new Generator(options.seed ?? 0);
  const trainIndices: number[] = [];
  const testIndices: number[] = [];
  for (let person = 0; person < PEOPLE; person++) {
    const order = random.shuffle(Array.from({ length: IMAGES_PER_PERSON }, (_, i) => person * IMAGES_PER_PERSON + i));
    trainIndices.push(...order.slice(0, trainPerPerson).sort((a, b) => a - b));
    testIndices.push(...order.slice(trainPerPerson).sort((a, b) => a - b));
  }
  const gather = (indices: readonly number[]): LabeledImages => {
    const size = WIDTH * HEIGHT;
    const pixels = new Uint8Array(indices.length * size);
    indices.forEach((index, i) => pixels.set(images[index]!.data, i * size));
    return { images: pixels, labels: Uint8Array.from(indices, (index) => folder.files[index]!.label), shape: [indices.length, HEIGHT, WIDTH, 1] };
  };
  return { train: gather(trainIndices), test: gather(testIndices), classNames: folder.classNames };
}

