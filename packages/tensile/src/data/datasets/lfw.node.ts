import path from 'node:path';
import { DataError } from '../../io/errors.js';
import { decodeImage } from '../../io/image.js';
import { readFileBytes } from '../../io/files.node.js';
import type { RawImage } from '../../io/raw-image.js';
import { readTar } from '../../io/tar.js';
import { locateDataset, type FetchOptions } from './fetch.node.js';
import { checkOptions, optionNames } from '../../options.js';

/** Two images (`Name/Name_0001.jpg` paths) and whether they show the same person. */
export interface FacePair {
  readonly first: string;
  readonly second: string;
  readonly same: boolean;
  /** 1-based line of the pairs file that names the pair, for messages about it. */
  readonly line: number;
}

export interface Lfw {
  /** Every JPEG of the archive by relative path (`Name/Name_0001.jpg`), still encoded. */
  readonly images: ReadonlyMap<string, Uint8Array>;
  /** The identity-training part: 115 people × 10 images; label i is classNames[i]. */
  readonly identity: { readonly classNames: readonly string[]; readonly files: readonly { readonly path: string; readonly label: number }[] };
  /** All 1,000 View-1 DevTest pairs (500 same, 500 different). */
  readonly devTestPairs: readonly FacePair[];
  /** The DevTrain pairs whose two images are in this subset (most are not). */
  readonly devTrainPairs: readonly FacePair[];
  /** Decodes one image (250×250 RGB). */
  decode(imagePath: string): RawImage;
  /** Reads a pairs file in LFW's format whose images must all be in this subset (a line naming another is refused). */
  readPairs(file: string): Promise<FacePair[]>;
}

const FETCH_OPTION_NAMES = optionNames<FetchOptions>()('root', 'baseUrl', 'download', 'verify');

/**
 * The LFW subset: images read straight out of `lfw_subset.tar.gz` (no unpacking), the identity
 * training list, and the official pairs files. A pairs line naming an image missing from DevTest
 * is a DataError; DevTrain pairs are filtered to the images present, as the dataset README advises.
 */
export async function lfw(options: FetchOptions = {}): Promise<Lfw> {
  checkOptions('lfw', options, FETCH_OPTION_NAMES);
  const names = ['lfw_subset.tar.gz', 'pairsDevTest.txt', 'pairsDevTrain.txt', 'subset_train_identity.txt'];
  const dir = await locateDataset({ name: 'faces-lfw', files: names.map((name) => ({ name })) }, options);
  const archivePath = path.join(dir, names[0]!);
  const archive = await readTar(await readFileBytes(archivePath), archivePath);
  const images = new Map([...archive].filter(([name]) => name.endsWith('.jpg')).map(([name, data]) => [name.replace(/^lfw\//, ''), data]));
  const text = async (name: string): Promise<string> => new TextDecoder().decode(await readFileBytes(path.join(dir, name)));
  const [devTest, devTrain, identityList] = await Promise.all([text(names[1]!), text(names[2]!), text(names[3]!)]);

  const devTestPairs = parsePairs(devTest, path.join(dir, names[1]!));
  checkPairImages(devTestPairs, images, path.join(dir, names[1]!), archivePath);
  const devTrainPairs = parsePairs(devTrain, path.join(dir, names[2]!)).filter((pair) => images.has(pair.first) && images.has(pair.second));

  const identityPaths = identityList.split('\n').map((line) => line.trim()).filter(Boolean);
  const classNames = [...new Set(identityPaths.map((p) => p.split('/')[0]!))].sort();
  const labelOf = new Map(classNames.map((name, label) => [name, label]));
  const identityFiles = identityPaths.map((p) => {
    if (!images.has(p)) throw new DataError(archivePath, `lacks identity image ${p}`);
    return { path: p, label: labelOf.get(p.split('/')[0]!)! };
  });

  return {
    images,
    identity: { classNames, files: identityFiles },
    devTestPairs,
    devTrainPairs,
    decode(imagePath: string): RawImage {
      const bytes = images.get(imagePath);
      if (bytes === undefined) throw new DataError(archivePath, `has no image ${imagePath}`);
      return decodeImage(bytes, `${archivePath}:${imagePath}`);
    },
    async readPairs(file: string): Promise<FacePair[]> {
      const pairs = parsePairs(new TextDecoder().decode(await readFileBytes(file)), file);
      checkPairImages(pairs, images, file, archivePath);
      return pairs;
    },
  };
}

/** Refuses the first pair naming an image that `images` (read from `archivePath`) lacks, naming the pairs file and line. */
function checkPairImages(pairs: readonly FacePair[], images: ReadonlyMap<string, unknown>, source: string, archivePath: string): void {
  for (const pair of pairs) {
    const missing = [pair.first, pair.second].find((image) => !images.has(image));
    if (missing !== undefined) throw new DataError(source, `names ${missing}, which is not in ${archivePath}`, { line: pair.line });
  }
}

/** LFW pairs format: a header line, then `name i j` (same) or `name1 i name2 j` (different), tab-separated. */
export function parsePairs(text: string, source: string): FacePair[] {
  const image = (name: string, number: string): string => `${name}/${name}_${number.padStart(4, '0')}.jpg`;
  const lines = text.split(/\r?\n/);
  return lines.slice(1).flatMap((raw, index): FacePair[] => {
    const fields = raw.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') return [];
    const numeric = (value: string | undefined): boolean => value !== undefined && /^\d+$/.test(value);
    if (fields.length === 3 && numeric(fields[1]) && numeric(fields[2])) {
      return [{ first: image(fields[0]!, fields[1]!), second: image(fields[0]!, fields[2]!), same: true, line: index + 2 }];
    }
    if (fields.length === 4 && numeric(fields[1]) && numeric(fields[3])) {
      return [{ first: image(fields[0]!, fields[1]!), second: image(fields[2]!, fields[3]!), same: false, line: index + 2 }];
    }
    throw new DataError(source, `not a pair line: ${JSON.stringify(raw)}`, { line: index + 2 });
  });
}
