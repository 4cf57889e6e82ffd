/** `tensile faces detect`: faces in photographs as JSON boxes, and with an output folder the photographs with boxes drawn. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Detection } from 'tensile';
import { writeFileAtomic } from 'tensile/node';
import { encodePng } from '../../report/image-grid.node.js';
import { DETECTION_COLOR, drawBoxes } from './draw.js';
import { FaceDetector } from './model-file.node.js';
import { readPhoto } from './photos.node.js';

export interface DetectSettings {
  readonly images: readonly string[];
  /** Model name (in runs/faces/) or path. */
  readonly model: string;
  readonly minSize?: number;
  readonly threshold?: number;
  /** Folder for `<photo>.faces.png` drawings and `detections.json`. */
  readonly out?: string;
}

export interface PhotoDetections {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  /** Boxes in pixels (top-left corner, size), best first. */
  readonly faces: readonly Detection[];
}

const round = (value: number): number => Math.round(value * 10) / 10;

export async function detectInPhotos(settings: DetectSettings): Promise<PhotoDetections[]> {
  const detector = await FaceDetector.load(settings.model);
  if (settings.out) await fs.mkdir(settings.out, { recursive: true });
  const results: PhotoDetections[] = [];
  for (const file of settings.images) {
    const image = await readPhoto(file);
    const faces = detector.detect(image, { minSize: settings.minSize, threshold: settings.threshold })
      .map((d) => ({ x: round(d.x), y: round(d.y), width: round(d.width), height: round(d.height), score: Math.round(d.score * 1000) / 1000 }));
    results.push({ file, width: image.width, height: image.height, faces });
    if (settings.out) {
      const drawn = drawBoxes(image, [{ boxes: faces, color: DETECTION_COLOR }]);
      await writeFileAtomic(path.join(settings.out, `${path.parse(file).name}.faces.png`), encodePng(drawn));
    }
  }
  if (settings.out) await writeFileAtomic(path.join(settings.out, 'detections.json'), new TextEncoder().encode(`${JSON.stringify(results, null, 2)}\n`));
  return results;
}
