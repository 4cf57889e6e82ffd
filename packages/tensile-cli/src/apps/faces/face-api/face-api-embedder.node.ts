/** Builds the face-api embedder from the weights of the installed `@vladmandic/face-api` package. */
import { FaceApiEmbedder, type FaceApiEmbedderOptions } from './face-api-embedder.js';
import { FaceLandmarkNet } from './landmark-net.js';
import { FaceRecognitionNet } from './recognition-net.js';
import { loadFaceApiWeights } from './weights.node.js';

export async function loadFaceLandmarkNet(): Promise<FaceLandmarkNet> {
  const { weights, file } = await loadFaceApiWeights('face_landmark_68_model');
  return new FaceLandmarkNet(weights, file);
}

export async function loadFaceRecognitionNet(): Promise<FaceRecognitionNet> {
  const { weights, file } = await loadFaceApiWeights('face_recognition_model');
  return new FaceRecognitionNet(weights, file);
}

export async function loadFaceApiEmbedder(options: FaceApiEmbedderOptions = {}): Promise<FaceApiEmbedder> {
  return new FaceApiEmbedder(await loadFaceRecognitionNet(), await loadFaceLandmarkNet(), options);
}
