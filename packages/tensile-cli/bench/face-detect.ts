/**
 * The face_detect workload: one 640×480 gray photograph (a CMU+MIT team photo resized), faces from
 * 36 px up. Tensile runs the trained HOG detector (runs/faces/detector-seed1.safetensors, or
 * TENSILE_BENCH_FACE_DETECTOR); the OpenCV peer (opencv_faces_bench.py) runs its stock frontal-face
 * Haar cascade on the same pixels.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { resize, toGrayscale } from 'tensile';
import { cacheDir, dataRoot } from 'tensile/node';
import { FaceDetector, resolveModel } from '../src/apps/faces/detector/model-file.node.js';
import { readPhoto } from '../src/apps/faces/detector/photos.node.js';

export const FACE_FRAME = { width: 640, height: 480, minSize: 36 } as const;

/** The source photograph, under the data root. */
export function faceBenchPhoto(): string {
  return path.join(dataRoot() ?? cacheDir(), 'faces-cmumit-detect', 'test_jpg', 'Argentina.jpg');
}

export async function faceDetectCall(): Promise<(() => unknown) | string> {
  const model = process.env.TENSILE_BENCH_FACE_DETECTOR ?? resolveModel('detector-seed1');
  if (!existsSync(model)) return `no trained detector at ${model} (tensile faces train-detector)`;
  const photo = faceBenchPhoto();
  if (!existsSync(photo)) return `no photograph ${photo} (set TENSILE_DATA)`;
  const detector = await FaceDetector.load(model);
  const frame = resize(toGrayscale(await readPhoto(photo)), FACE_FRAME.width, FACE_FRAME.height, 'area');
  return () => detector.detect(frame, { minSize: FACE_FRAME.minSize });
}
