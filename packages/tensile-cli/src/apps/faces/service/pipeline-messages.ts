/**
 * What the service's main thread and its identification workers (pipeline-pool.node.ts) send each
 * other. Images cross as plain objects (structured clone drops RawImage's class) and are rebuilt.
 */
import { RawImage } from 'tensile';
import type { AnalysedFace, FacePipeline } from '../face-pipeline.js';

export interface ImageMessage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** The main thread asks a worker to analyse a batch of photographs. */
export interface AnalyseRequest {
  readonly id: number;
  readonly photos: readonly ImageMessage[];
}

/** What the main thread needs to know of the worker's pipeline. */
export type PipelineDescription = Pick<FacePipeline, 'embedder' | 'embeddingSize' | 'threshold' | 'openSet'>;

export type WorkerReply =
  | { readonly kind: 'ready'; readonly pipeline: PipelineDescription }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'analysed'; readonly id: number; readonly faces: readonly (readonly FaceMessage[])[] }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };

export interface FaceMessage extends Omit<AnalysedFace, 'crop'> {
  readonly crop: ImageMessage;
}

export function imageMessage(image: RawImage): ImageMessage {
  return { data: image.data, width: image.width, height: image.height, channels: image.channels };
}

export function imageFrom(message: ImageMessage): RawImage {
  return new RawImage(message.data, message.width, message.height, message.channels);
}

export function describePipeline(pipeline: FacePipeline): PipelineDescription {
  return { embedder: pipeline.embedder, embeddingSize: pipeline.embeddingSize, threshold: pipeline.threshold, openSet: pipeline.openSet };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
