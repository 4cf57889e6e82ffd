/**
 * The face_detect workload on Tensile (the frame: face-frame.ts). Tensile runs the trained HOG detector (runs/faces/detector-seed1.safetensors, or
 * TENSILE_BENCH_FACE_DETECTOR); the OpenCV peer (opencv_faces_bench.py) runs its stock frontal-face
 * Haar cascade on the same pixels.
 */
import { existsSync } from 'node:fs';
import { resize, toGrayscale } from 'tensile';
import { FACE_FRAME, faceBenchPhoto } from './face-frame.js';
import { FaceDetector, resolveModel } from '../src/apps/faces/detector/model-file.node.js';
import { readPhoto } from '../src/apps/faces/detector/photos.node.js';

export async function faceDetectCall(): Promise<(() => unknown) | string> {
  const model = process.env.TENSILE_BENCH_FACE_DETECTOR ?? resolveModel('detector-seed1');
  if (!existsSync(model)) return `no trained detector at ${model} (tensile faces train-detector)`;
  const photo = faceBenchPhoto();
  if (!existsSync(photo)) return `no photograph ${photo} (set TENSILE_DATA)`;
  const detector = await FaceDetector.load(model);
  const frame = resize(toGrayscale(await readPhoto(photo)), FACE_FRAME.width, FACE_FRAME.height, 'area');
  return () => detector.detect(frame, { minSize: FACE_FRAME.minSize });
}
