/** Node-only data access: files, folders, the data root and cache, downloads, and dataset loaders. */
import { mnist } from './datasets/mnist.node.js';
import { fashionMnist } from './datasets/fashion-mnist.node.js';
import { nslKdd } from './datasets/nsl-kdd.node.js';
import { orlFaces } from './datasets/orl-faces.node.js';
import { catsDogs } from './datasets/cats-dogs.node.js';
import { lfw } from './datasets/lfw.node.js';
import { lfwTrain } from './datasets/lfw-train.node.js';
import { faceDetection } from './datasets/face-detection.node.js';

export { decodePng } from '../io/png.node.js'; // importing it also registers PNG with decodeImage
export { listFiles, listFolders, readFileBytes, readFileChunks } from '../io/files.node.js';
export { imageFileDataset, listImageFolder, IMAGE_EXTENSIONS, type DecodedImage, type ImageFolder, type LabeledFile } from './image-folder.node.js';
export { cacheDir, dataRoot, setDataRoot, type RootOptions } from './datasets/data-root.node.js';
export { locateDataset, verifyContent, type DatasetLocation, type FetchOptions, type FileSpec } from './datasets/fetch.node.js';
export type { TrainTestImages } from './datasets/idx-image-set.node.js';
export { FASHION_MNIST_CLASSES } from './datasets/fashion-mnist.node.js';
export { NSL_KDD_CATEGORIES, type NslKddData, type NslKddOptions, type NslKddSplit } from './datasets/nsl-kdd.node.js';
export type { OrlFaces, OrlFacesOptions } from './datasets/orl-faces.node.js';
export type { CatsDogs } from './datasets/cats-dogs.node.js';
export { parsePairs, type FacePair, type Lfw } from './datasets/lfw.node.js';
export type { LfwTrain, LfwTrainFile } from './datasets/lfw-train.node.js';
export type { FaceDetection } from './datasets/face-detection.node.js';
export { mnist, fashionMnist, nslKdd, orlFaces, catsDogs, lfw, lfwTrain, faceDetection };

/** The dataset loaders as one namespace: `datasets.mnist()`, `datasets.nslKdd()` … */
export const datasets = { mnist, fashionMnist, nslKdd, orlFaces, catsDogs, lfw, lfwTrain, faceDetection } as const;
