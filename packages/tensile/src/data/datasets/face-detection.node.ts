import path from 'node:path';
import { DataError } from '../../io/errors.js';
import { parseBoxes, type Box } from '../../io/boxes.js';
import { listFiles, readFileBytes } from '../../io/files.node.js';
import { readTar } from '../../io/tar.js';
import { locateDataset, type FetchOptions } from './fetch.node.js';
import { checkOptions, optionNames } from '../../options.js';

export interface FaceDetection {
  readonly train: {
    /** 6,713 encoded 36×36 gray face crops (JPEG), read from the tarball without unpacking. */
    readonly positives: readonly { readonly name: string; readonly data: Uint8Array }[];
    /** Paths of the 274 RGB scenes without faces, for (hard) negative mining. */
    readonly negativeScenes: readonly string[];
  };
  readonly test: {
    /** Paths of the 130 gray test photographs. */
    readonly images: readonly string[];
    /** The 511 head boxes (`ground_truth_bboxes.txt`, 1-based pixels; some extend past the border). */
    readonly boxes: readonly Box[];
    /** The same faces with tight face-only boxes. */
    readonly faceOnlyBoxes: readonly Box[];
  };
}

const FETCH_OPTION_NAMES = optionNames<FetchOptions>()('root', 'baseUrl', 'download', 'verify');

/**
 * Face detection data: training crops and non-face scenes (`faces-detector-train/`) and the CMU+MIT
 * test set with its box files (`faces-cmumit-detect/`). Every boxed image must exist.
 */
export async function faceDetection(options: FetchOptions = {}): Promise<FaceDetection> {
  checkOptions('faceDetection', options, FETCH_OPTION_NAMES);
  const trainDir = await locateDataset({ name: 'faces-detector-train', files: [{ name: 'caltech_crop_faces_36x36.tar.gz' }, { name: 'non_face_scenes' }] }, options);
  const testDir = await locateDataset({ name: 'faces-cmumit-detect', files: [{ name: 'ground_truth_bboxes.txt' }, { name: 'test_jpg' }] }, options);
  const archivePath = path.join(trainDir, 'caltech_crop_faces_36x36.tar.gz');
  const [archive, negativeScenes, images] = await Promise.all([
    readFileBytes(archivePath).then((bytes) => readTar(bytes, archivePath)),
    listFiles(path.join(trainDir, 'non_face_scenes'), ['.jpg']),
    listFiles(path.join(testDir, 'test_jpg'), ['.jpg']),
  ]);
  const readBoxes = async (name: string): Promise<Box[]> => {
    const file = path.join(testDir, name);
    const boxes = parseBoxes(new TextDecoder().decode(await readFileBytes(file)), file);
    const known = new Set(images.map((image) => path.basename(image)));
    const unknown = boxes.find((box) => !known.has(box.image));
    if (unknown) throw new DataError(file, `boxes image ${unknown.image}, which is not in test_jpg/`);
    return boxes;
  };
  const [boxes, faceOnlyBoxes] = await Promise.all([readBoxes('ground_truth_bboxes.txt'), readBoxes('ground_truth_bboxes_face_only.txt')]);
  const positives = [...archive].filter(([name]) => name.endsWith('.jpg')).map(([name, data]) => ({ name, data }));
  return { train: { positives, negativeScenes }, test: { images, boxes, faceOnlyBoxes } };
}
