/** Computer vision on images: HOG features, gray-image resizing, window scores and sliding-window detection. */
export { hog, HOG_CHANNELS, type HogOptions } from './hog.js';
export { resizeGray, type ResizeGrayOptions } from './resize-gray.js';
export { windowScores } from './window-scores.js';
export { intersectionOverUnion, nonMaximumSuppression, type Detection, type Rect } from './boxes.js';
export { detectFaces, grayTensor, pyramidScales, scoreWindows, windowSize, type DetectOptions, type HogWindowClassifier } from './detect.js';
