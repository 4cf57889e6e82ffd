/**
 * A deterministic stand-in for the face pipeline in tests: one face per photograph (the centre
 * square), embedded as the mean-free, unit-length 4×4 grid of its mean brightness. The same
 * photograph always gives the same embedding (distance 0); different photographs rarely come close.
 */
import { crop, type RawImage } from 'tensile';
import { centreBox } from '../../../../src/apps/faces/embedder-pipeline.js';
import type { AnalysedFace, FacePipeline } from '../../../../src/apps/faces/face-pipeline.js';

const GRID = 4;

export function gridEmbedding(image: RawImage): Float32Array {
  const sums = new Float64Array(GRID * GRID);
  const counts = new Float64Array(GRID * GRID);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const cell = Math.floor((y * GRID) / image.height) * GRID + Math.floor((x * GRID) / image.width);
      for (let c = 0; c < image.channels; c++) sums[cell]! += image.data[(y * image.width + x) * image.channels + c]!;
      counts[cell]! += image.channels;
    }
  }
  const means = Array.from(sums, (s, i) => s / counts[i]!);
  const mean = means.reduce((a, b) => a + b, 0) / means.length;
  const centred = means.map((m) => m - mean);
  const norm = Math.hypot(...centred) || 1;
  return Float32Array.from(centred, (v) => v / norm);
}

export function fakePipeline(): FacePipeline {
  return {
    embedder: 'test-grid',
    embeddingSize: GRID * GRID,
    threshold: 0.3,
    async analyse(photos: readonly RawImage[]): Promise<AnalysedFace[][]> {
      return photos.map((photo) => {
        const box = centreBox(photo);
        const face = crop(photo, box.x, box.y, box.width, box.height);
        return [{ box, crop: face, embedding: gridEmbedding(face) }];
      });
    },
  };
}
