/**
 * The frame of the face_detect workload: one 640×480 gray photograph (a CMU+MIT team photo resized),
 * faces from 36 px up; both Tensile and the OpenCV peer read it.
 */
import path from 'node:path';
import { cacheDir, dataRoot } from 'tensile/node';

export const FACE_FRAME = { width: 640, height: 480, minSize: 36 } as const;

/** The source photograph, under the data root. */
export function faceBenchPhoto(): string {
  return path.join(dataRoot() ?? cacheDir(), 'faces-cmumit-detect', 'test_jpg', 'Argentina.jpg');
}
