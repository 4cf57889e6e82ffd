/**
 * Folder-per-class image sets (`<root>/<class>/<image>`): list the files with their labels, then
 * decode lazily in a Dataset. A corrupt image is a DataError naming the file, or — with
 * `onBadRecord: 'skip'` — is left out and listed in a warning at the end of the pass.
 */
import path from 'node:path';
import { BadRecordLog, type BadRecordOptions } from '../io/bad-records.js';
import { Dataset, type MapOptions } from './dataset.js';
import { DataError, asDataError } from '../io/errors.js';
import { decodeImage } from '../io/image.js';
import { listFiles, listFolders, readFileBytes } from '../io/files.node.js';
import type { RawImage } from '../io/raw-image.js';
import '../io/png.node.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.pgm', '.ppm', '.bmp', '.gif'] as const;

export interface LabeledFile {
  readonly path: string;
  readonly label: number;
}

export interface ImageFolder {
  /** Class names from the folder names, sorted naturally (`s2` before `s10`); label i is classNames[i]. */
  readonly classNames: readonly string[];
  readonly files: readonly LabeledFile[];
}

/** Lists `<dir>/<class>/**` image files; a class folder without images is a DataError. */
export async function listImageFolder(dir: string, extensions: readonly string[] = IMAGE_EXTENSIONS): Promise<ImageFolder> {
  const classNames = await listFolders(dir);
  if (classNames.length === 0) throw new DataError(dir, 'has no class subfolders');
  const perClass = await Promise.all(classNames.map((name) => listFiles(path.join(dir, name), extensions)));
  perClass.forEach((files, label) => {
    if (files.length === 0) throw new DataError(path.join(dir, classNames[label]!), 'class folder holds no images');
  });
  return { classNames, files: perClass.flatMap((files, label) => files.map((file) => ({ path: file, label }))) };
}

export interface DecodedImage {
  readonly image: RawImage;
  readonly label: number;
  readonly path: string;
}

/**
 * Reads and decodes labeled image files lazily, `parallel` files in flight (default 4; file reads
 * overlap, decoding runs on this thread). Shuffle or split the file list before decoding.
 */
export function imageFileDataset(
  files: Iterable<LabeledFile> | Dataset<LabeledFile>,
  options: BadRecordOptions & MapOptions = {},
): Dataset<DecodedImage> {
  const source = files instanceof Dataset ? files : Dataset.from([...files]);
  return Dataset.fromGenerator(async function* () {
    const log = new BadRecordLog(options);
    const decoded = source.map(async ({ path: file, label }): Promise<DecodedImage | DataError> => {
      try {
        return { image: decodeImage(await readFileBytes(file), file), label, path: file };
      } catch (cause) {
        return asDataError(file, cause);
      }
    }, { parallel: options.parallel ?? 4 });
    for await (const item of decoded) {
      if (item instanceof DataError) log.handle(item);
      else yield item;
    }
    log.finish('image folder');
  });
}
