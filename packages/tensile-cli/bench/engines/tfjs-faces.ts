/**
 * face_embed and face_landmarks on TensorFlow.js: face-api itself (its Node build that takes the
 * installed @tensorflow/tfjs) with the weights of its `model/` folder.
 */
import { createRequire } from 'node:module';
import type * as tf from '@tensorflow/tfjs';
import { faceApiModelDir } from '../../src/apps/faces/face-api/weights.node.js';

interface FaceApiNet {
  loadFromDisk(dir: string): Promise<void>;
  forward(input: tf.Tensor4D): Promise<tf.Tensor2D>;
}
interface FaceApi {
  nets: { faceRecognitionNet: FaceApiNet; faceLandmark68Net: FaceApiNet };
}

/** face-api's Node build for an external tfjs (it requires @tensorflow/tfjs and tfjs-backend-wasm). */
export function faceApi(): FaceApi {
  return createRequire(import.meta.url)('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
}

export function tfjsFaceWorkloads(engine: typeof tf): Record<'face_embed' | 'face_landmarks', () => Promise<() => Promise<unknown>>> {
  const workload = (pick: (api: FaceApi) => FaceApiNet, size: number) => async (): Promise<() => Promise<unknown>> => {
    const net = pick(faceApi());
    await net.loadFromDisk(faceApiModelDir());
    const x = engine.mul(engine.randomUniform([1, size, size, 3]), 255) as tf.Tensor4D;
    return async () => {
      const y = await net.forward(x);
      y.dataSync();
      y.dispose();
    };
  };
  return { face_embed: workload((api) => api.nets.faceRecognitionNet, 150), face_landmarks: workload((api) => api.nets.faceLandmark68Net, 112) };
}
