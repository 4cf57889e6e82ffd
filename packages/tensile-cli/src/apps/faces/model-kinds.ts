/** What a safetensors file holds, in words, from its metadata: the face model loaders refuse a model of another kind by naming it. */

/** Metadata keys of the face applications' model files. */
export const FACE_DETECTOR_KEY = 'tensile.faces.detector';
export const FACE_EMBEDDER_KEY = 'tensile.faces.embedder';

export function describeModelFile(metadata: Readonly<Record<string, string>>): string {
  if (FACE_DETECTOR_KEY in metadata) return `a face detector (metadata ${FACE_DETECTOR_KEY})`;
  if (FACE_EMBEDDER_KEY in metadata) return `a face embedder (metadata ${FACE_EMBEDDER_KEY})`;
  if ('tensile.model' in metadata) return 'a Tensile network model (metadata tensile.model)';
  if ('tensile.ids' in metadata) return 'an intrusion-detector model (metadata tensile.ids)';
  const keys = Object.keys(metadata).filter((k) => k !== 'format' && k !== 'tensile.crc32');
  return keys.length > 0 ? `a safetensors file with metadata ${keys.join(', ')}` : 'a plain safetensors file of tensors';
}
