import path from 'node:path';
import { DataError } from '../../io/errors.js';
import { decodeImage } from '../../io/image.js';
import { readFileBytes } from '../../io/files.node.js';
import type { RawImage } from '../../io/raw-image.js';
import { readTar } from '../../io/tar.js';
import { locateDataset, type FetchOptions } from './fetch.node.js';
import { checkOptions, optionNames } from '../../options.js';

/** One image of the archive: `Name/Name_0001.jpg` and its person's label (index into `people`). */
export interface LfwTrainFile {
  readonly path: string;
  readonly label: number;
}

export interface LfwTrain {
  /** The people, sorted by name; label i is people[i]. */
  readonly people: readonly string[];
  /** Every image, in archive order. */
  readonly files: readonly LfwTrainFile[];
  /** Decodes one image (160×160 RGB: rows and columns 48–207 of the 250×250 LFW photograph). */
  decode(imagePath: string): RawImage;
}

const ARCHIVE = 'lfw_train_crop160.tar.gz';
const PEOPLE = 'people.tsv';

const FETCH_OPTION_NAMES = optionNames<FetchOptions>()('root', 'baseUrl', 'download', 'verify');

/**
 * The LFW identity training set (`faces-lfw-train`: 6,968 images of 1,262 people, none of them in
 * the DevTest pairs), read straight out of its tarball. Every person of `people.tsv` must have exactly
 * the listed number of images in the archive, and the archive no one else: a mismatch is a DataError
 * naming the line or the image.
 */
export async function lfwTrain(options: FetchOptions = {}): Promise<LfwTrain> {
  checkOptions('lfwTrain', options, FETCH_OPTION_NAMES);
  const dir = await locateDataset({ name: 'faces-lfw-train', files: [{ name: ARCHIVE }, { name: PEOPLE }] }, options);
  const archivePath = path.join(dir, ARCHIVE);
  const peoplePath = path.join(dir, PEOPLE);
  const archive = await readTar(await readFileBytes(archivePath), archivePath);
  const counts = parsePeople(new TextDecoder().decode(await readFileBytes(peoplePath)), peoplePath);
  const people = [...counts.keys()].sort();
  const labelOf = new Map(people.map((name, label) => [name, label]));
  const images = new Map<string, Uint8Array>();
  const found = new Map<string, number>();
  for (const [name, data] of archive) {
    if (!name.endsWith('.jpg')) continue;
    const relative = name.replace(/^lfw160\//, '');
    const person = relative.split('/')[0]!;
    if (!labelOf.has(person)) throw new DataError(archivePath, `holds ${relative}, of a person missing from ${PEOPLE}`);
    images.set(relative, data);
    found.set(person, (found.get(person) ?? 0) + 1);
  }
  for (const [person, expected] of counts) {
    const actual = found.get(person) ?? 0;
    if (actual !== expected.count) throw new DataError(peoplePath, `lists ${expected.count} images of ${person}, the archive holds ${actual}`, { line: expected.line });
  }
  return {
    people,
    files: [...images.keys()].map((p) => ({ path: p, label: labelOf.get(p.split('/')[0]!)! })),
    decode(imagePath: string): RawImage {
      const bytes = images.get(imagePath);
      if (bytes === undefined) throw new DataError(archivePath, `has no image ${imagePath}`);
      return decodeImage(bytes, `${archivePath}:${imagePath}`);
    },
  };
}

/** `Name<TAB>count` lines → count and line number by name. */
function parsePeople(text: string, source: string): Map<string, { count: number; line: number }> {
  const counts = new Map<string, { count: number; line: number }>();
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '') return;
    const fields = raw.split('\t');
    const count = Number(fields[1]);
    if (fields.length !== 2 || fields[0] === '' || !Number.isInteger(count) || count < 1) {
      throw new DataError(source, `not a 'Name<TAB>count' line: ${JSON.stringify(raw)}`, { line: index + 1 });
    }
    counts.set(fields[0]!, { count, line: index + 1 });
  });
  return counts;
}
