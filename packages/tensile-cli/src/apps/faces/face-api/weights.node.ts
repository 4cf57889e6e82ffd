/**
 * face-api's pretrained weights, read at run time from the `model/` folder of the installed
 * `@vladmandic/face-api` package (MIT; the recogniser carries dlib's face-recognition weights) — never
 * copied into this repository.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadTfjsWeights } from 'tensile/node';
import type { Tensor } from 'tensile';

export type FaceApiModelName = 'face_recognition_model' | 'face_landmark_68_model';

/** The package's `model/` folder. */
export function faceApiModelDir(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'model');
}

export function faceApiManifest(model: FaceApiModelName): string {
  return path.join(faceApiModelDir(), `${model}-weights_manifest.json`);
}

/** The named tensors of one of the package's models, and the manifest they came from (for error messages). */
export async function loadFaceApiWeights(model: FaceApiModelName, manifest = faceApiManifest(model)): Promise<{ weights: Record<string, Tensor>; file: string }> {
  return { weights: await loadTfjsWeights(manifest), file: manifest };
}
