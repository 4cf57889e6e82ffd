/** Computer vision on images: HOG features and sliding-window detection. */
export { hog, HOG_CHANNELS, type HogOptions } from './hog.js';
export { intersectionOverUnion, nonMaximumSuppression, type Detection, type Rect } from './boxes.js';
export { detectFaces, grayTensor, pyramidScales, scoreWindows, windowSize, type DetectOptions, type HogWindowClassifier } from './detect.js';
