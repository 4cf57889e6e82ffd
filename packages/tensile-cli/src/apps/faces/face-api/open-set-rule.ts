/**
 * The face-api embedder's allow distance by gallery size, for the access-control service's one-to-many
 * identification: a stranger allowed with probability at most 1 percent (`open-set.ts`). Calibrated on the
 * identity-training people of faces-lfw-train (1,262 people × 2 photographs, none in LFW's DevTest),
 * embedded by the service's pipeline, by
 * `node packages/tensile-cli/build/bench/faces-service-calibrate.js --alpha 0.01`
 * (docs/faces/NOTES.md, "Service: open-set calibration"); distances rounded down to 4 decimals.
 */
import type { OpenSetRule } from '../open-set.js';

export const FACE_API_OPEN_SET: OpenSetRule = {
  alpha: 0.01,
  differentPairs: 3182764,
  steps: [
    { embeddings: 1, allowDistance: 0.4299, pairsBelow: 31827 },
    { embeddings: 2, allowDistance: 0.4153, pairsBelow: 15953 },
    { embeddings: 5, allowDistance: 0.3975, pairsBelow: 6391 },
    { embeddings: 10, allowDistance: 0.3848, pairsBelow: 3197 },
    { embeddings: 20, allowDistance: 0.3725, pairsBelow: 1598 },
    { embeddings: 50, allowDistance: 0.3570, pairsBelow: 639 },
    { embeddings: 100, allowDistance: 0.3452, pairsBelow: 319 },
    { embeddings: 200, allowDistance: 0.3321, pairsBelow: 159 },
    { embeddings: 500, allowDistance: 0.3181, pairsBelow: 63 },
    { embeddings: 1000, allowDistance: 0.3073, pairsBelow: 31 },
    { embeddings: 2000, allowDistance: 0.2995, pairsBelow: 15 },
  ],
};
