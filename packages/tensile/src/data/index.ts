/** Data pipelines and format readers that run in browsers and Node alike (no `node:*` imports). */
export { mixUp, type MixUpOptions } from './mixup.js';
export { tensorBatches, type TensorBatch } from './tensor-batches.js';
export { Dataset, type BatchOptions, type ElementOf, type MapOptions, type ShuffleOptions, type SplitOptions } from './dataset.js';
export { collate, unbatch, type Batchable, type Batched, type BatchLeaf, type TensorTree } from './collate.js';
export { DataError, type DataLocation } from '../io/errors.js';
export { BadRecordLog, type BadRecordOptions, type BadRecordPolicy } from '../io/bad-records.js';
export { CategoryEncoder, type CategoryEncoderJSON, type UnknownCategoryPolicy } from './category-encoder.js';
export { Scaler, type ScalerJSON, type ScalerKind } from './scalers.js';
export { TabularEncoder, type ColumnEncoding, type TabularEncoderJSON, type TabularRow, type TabularSpec } from './tabular-encoder.js';
export { labeledImageDataset, labeledImageTensors, type LabeledImageDatasetOptions, type LabeledImages, type LabeledImageTensors } from './datasets/labeled-images.js';
export { parseIdx, readIdx, type IdxArray, type IdxDType, type IdxExpectation, type IdxValues } from '../io/idx.js';
export { decodeUtf8, parseCsvRows, readCsv, type CsvColumnType, type CsvReadOptions, type CsvRecord, type CsvRow, type CsvSchema } from '../io/csv.js';
export { gunzip, gunzipChunks, isGzip, maybeGunzip } from '../io/gzip.js';
export { RawImage, type PixelArray } from '../io/raw-image.js';
export { decodeImage, registerImageDecoder, sniffImageFormat, type ImageDecoder, type ImageFormat } from '../io/image.js';
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, setDataLimits, type DataLimits } from '../io/limits.js';
export { decodePnm } from '../io/pnm.js';
export {
  augment,
  centerCrop,
  crop,
  flipHorizontal,
  normalize,
  resize,
  toGrayscale,
  toRgb,
  type AugmentOptions,
  type NormalizeOptions,
  type ResizeMethod,
} from '../io/image-ops.js';
export { readTar, readTarEntries, type TarEntry } from '../io/tar.js';
export { groupBoxesByImage, parseBoxes, type Box } from '../io/boxes.js';
