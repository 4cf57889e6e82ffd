/** face_embed and face_landmarks on Tensile: the app's face-api networks with the package's weights. */
import * as tl from 'tensile';
import { loadFaceLandmarkNet, loadFaceRecognitionNet } from '../../src/apps/faces/face-api/face-api-embedder.node.js';

const face = (size: number): tl.Tensor => tl.mul(tl.rand([1, size, size, 3]), 255);

export const faceWorkloads = {
  face_embed: async (): Promise<() => unknown> => {
    const net = await loadFaceRecognitionNet();
    const x = face(150);
    return () => net.forward(x).dataSync();
  },
  face_landmarks: async (): Promise<() => unknown> => {
    const net = await loadFaceLandmarkNet();
    const x = face(112);
    return () => net.forward(x).dataSync();
  },
};
